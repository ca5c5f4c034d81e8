from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "vinculo.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from vinculo.activities import events  # noqa: F401  (declares event types)
