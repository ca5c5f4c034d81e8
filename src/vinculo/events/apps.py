from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.events"
    label = "events"
    verbose_name = "Tracked events"

    def ready(self) -> None:
        # Declares domain event types; words tracked events' timeline lines when read.
        from vinculo.events import events, timeline_text  # noqa: F401
