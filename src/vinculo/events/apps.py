from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.events"
    label = "events"
    verbose_name = "Tracked events"

    def ready(self) -> None:
        # Declares domain event types; words tracked events' timeline lines when read.
        from vinculo.core import record_pages, tracked_events
        from vinculo.core.movers import register_mover
        from vinculo.core.reports import register_cohorts
        from vinculo.events import events, kpis, reports, tasks, timeline_text  # noqa: F401
        from vinculo.events.record_pages import person_value
        from vinculo.events.services import ingest_events, link_visitor, reassign_events

        # Stores the page views and form submits of web forms (which cannot import this app).
        tracked_events.register(ingest=ingest_events, link_visitor=link_visitor)
        kpis.register_all()
        # A merged person's events, purchases, external ids and visitor links go with them.
        register_mover("behaviour", reassign_events)
        register_cohorts("purchases", reports.purchase_cohorts, reports.LABEL)
        # The RFM card of the person's page (its template is included by the page).
        record_pages.register("person", "customer_value", person_value)
