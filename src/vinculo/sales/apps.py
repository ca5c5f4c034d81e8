from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "vinculo.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from vinculo.core import record_pages, workspace_defaults
        from vinculo.sales import events  # noqa: F401  (declares event types)
        from vinculo.sales import record_pages as panels
        from vinculo.sales.services.pipelines import ensure_default_pipeline

        workspace_defaults.register(
            "sales.default_pipeline", lambda actor: ensure_default_pipeline(actor=actor)
        )
        record_pages.register("person", "deals", panels.person_deals)
        record_pages.register("company", "deals", panels.company_deals)
