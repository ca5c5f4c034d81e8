from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.events"
    label = "events"
    verbose_name = "Tracked events"

    def ready(self) -> None:
        from vinculo.events import event_types  # noqa: F401  (declares domain event types)
