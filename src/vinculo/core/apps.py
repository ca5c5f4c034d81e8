from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vinculo.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from vinculo.core import events

        events.autodiscover_consumers()
