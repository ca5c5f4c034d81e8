from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "vinculo.workspaces"
    label = "workspaces"
    verbose_name = "Workspaces"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from vinculo.workspaces import events  # noqa: F401  (declares event types)
        from vinculo.workspaces.lockout import record_lockout
        from vinculo.workspaces.two_factor import on_login

        user_locked_out.connect(record_lockout, dispatch_uid="vinculo-audit-lockout")
        user_logged_in.connect(on_login, dispatch_uid="vinculo-two-factor-login")
