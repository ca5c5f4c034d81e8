from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "vinculo.workspaces"
    label = "workspaces"
    verbose_name = "Workspaces"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from vinculo.workspaces import events  # noqa: F401  (declares event types)
        from vinculo.workspaces.lockout import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="vinculo-audit-lockout")
