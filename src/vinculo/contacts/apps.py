from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "vinculo.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from vinculo.contacts import events  # noqa: F401  (declares event types)
