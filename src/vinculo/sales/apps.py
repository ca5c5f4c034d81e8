from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "vinculo.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from vinculo.core import workspace_defaults
        from vinculo.sales import events  # noqa: F401  (declares event types)
        from vinculo.sales.services.pipelines import ensure_default_pipeline

        workspace_defaults.register(
            "sales.default_pipeline", lambda actor: ensure_default_pipeline(actor=actor)
        )
