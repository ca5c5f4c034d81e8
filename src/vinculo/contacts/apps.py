from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "vinculo.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from vinculo.contacts import cohorts, events, kpis, pickers  # noqa: F401  (event types)
        from vinculo.contacts.models import Company, Person
        from vinculo.contacts.services.lifecycle import ensure_lifecycle_stages
        from vinculo.core import custom_field_targets, workspace_defaults
        from vinculo.core import pickers as core_pickers
        from vinculo.core.reports import register_cohorts

        workspace_defaults.register(
            "contacts.lifecycle_stages", lambda actor: ensure_lifecycle_stages(actor=actor)
        )
        custom_field_targets.register("person", Person)
        custom_field_targets.register("company", Company)
        core_pickers.register("person", search=pickers.search_people, find=pickers.find_person)
        core_pickers.register("company", search=pickers.search_companies, find=pickers.find_company)
        kpis.register_all()
        register_cohorts("lifecycle", cohorts.lifecycle_cohorts, cohorts.LABEL)
