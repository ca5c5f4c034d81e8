from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "vinculo.workspaces"
    label = "workspaces"
    verbose_name = "Workspaces"

    def ready(self) -> None:
        from vinculo.workspaces import events  # noqa: F401  (declares event types)
