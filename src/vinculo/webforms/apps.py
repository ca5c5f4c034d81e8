from django.apps import AppConfig


class WebformsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.webforms"
    label = "webforms"
    verbose_name = "Web forms"

    def ready(self) -> None:
        from vinculo.webforms import events  # noqa: F401  (declares event types)
