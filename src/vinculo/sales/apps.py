from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "vinculo.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from vinculo.core import custom_field_targets, record_pages, workspace_defaults
        from vinculo.core import pickers as core_pickers
        from vinculo.sales import adoption_kpis, events, kpis, pickers  # noqa: F401
        from vinculo.sales import record_pages as panels
        from vinculo.sales.models import Deal
        from vinculo.sales.services.pipelines import ensure_default_pipeline

        workspace_defaults.register(
            "sales.default_pipeline", lambda actor: ensure_default_pipeline(actor=actor)
        )
        custom_field_targets.register("deal", Deal)
        core_pickers.register("deal", search=pickers.search_deals, find=pickers.find_deal)
        core_pickers.register("product", search=pickers.search_products, find=pickers.find_product)
        record_pages.register("person", "deals", panels.person_deals)
        record_pages.register("company", "deals", panels.company_deals)
        kpis.register_all()
        adoption_kpis.register_all()
