from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "vinculo.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from vinculo.sales import events  # noqa: F401  (declares event types)
