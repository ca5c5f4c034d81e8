from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "vinculo.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from vinculo.contacts import events  # noqa: F401  (declares event types)
        from vinculo.contacts.services.lifecycle import ensure_lifecycle_stages
        from vinculo.core import workspace_defaults

        workspace_defaults.register(
            "contacts.lifecycle_stages", lambda actor: ensure_lifecycle_stages(actor=actor)
        )
