from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "vinculo.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from vinculo.integrations import events, tasks  # noqa: F401  (event types, schedules)
