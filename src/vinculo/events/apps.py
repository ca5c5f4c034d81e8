from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.events"
    label = "events"
    verbose_name = "Tracked events"

    def ready(self) -> None:
        # Declares domain event types; words tracked events' timeline lines when read.
        from vinculo.core import record_pages, tracked_events
        from vinculo.events import events, kpis, tasks, timeline_text  # noqa: F401  (tasks: RFM)
        from vinculo.events.record_pages import person_value
        from vinculo.events.services import ingest_events, link_visitor

        # Stores the page views and form submits of web forms (which cannot import this app).
        tracked_events.register(ingest=ingest_events, link_visitor=link_visitor)
        kpis.register_all()
        # The RFM card of the person's page (its template is included by the page).
        record_pages.register("person", "customer_value", person_value)
