from django.apps import AppConfig


class WebformsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.webforms"
    label = "webforms"
    verbose_name = "Web forms"

    def ready(self) -> None:
        from vinculo.core import workspace_defaults
        from vinculo.webforms import events  # noqa: F401  (declares event types)
        from vinculo.webforms.tracking import ensure_tracking_site

        workspace_defaults.register(
            "webforms.tracking_site", lambda actor: ensure_tracking_site(actor=actor)
        )
