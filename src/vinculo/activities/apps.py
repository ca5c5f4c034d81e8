from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "vinculo.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from vinculo.activities import (
            adoption_kpis,
            events,  # noqa: F401  (declares event types)
            kpis,
            record_pages,
            timeline,
        )
        from vinculo.core import record_pages as pages
        from vinculo.core import timeline as timeline_port

        timeline_port.install(timeline)
        timeline_port.register_kinds(*timeline.KINDS)
        pages.register("person", "tasks", record_pages.open_tasks)
        kpis.register_all()
        adoption_kpis.register_all()
