from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vinculo.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from vinculo.core import events
        from vinculo.core.collation import register_sqlite_function

        events.autodiscover_consumers()
        connection_created.connect(register_sqlite_function, dispatch_uid="vinculo_sort_key")
