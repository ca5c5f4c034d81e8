from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.privacy"
    label = "privacy"
    verbose_name = "Privacy (LGPD)"

    def ready(self) -> None:
        # Registers the bin purge schedule and the ``person.erased`` event type.
        from vinculo.privacy import events, tasks  # noqa: F401
