from django.apps import AppConfig


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.quality"
    label = "quality"
    verbose_name = "Data quality"

    def ready(self) -> None:
        from vinculo.core import duplicate_finders, entry_rules, exports
        from vinculo.quality import adoption_kpis, events, kpis  # noqa: F401
        from vinculo.quality.selectors.matcher import probable_typed
        from vinculo.quality.selectors.rules import unique_fields
        from vinculo.quality.services.rule_checker import checker

        # The tasks modules bind the jobs the services queue by name (vinculo.core.jobs) and
        # register their recurring tasks: the nightly audit, expired exports, imports whose
        # worker died.
        from vinculo.quality.tasks import audit, duplicates, imports  # noqa: F401
        from vinculo.quality.tasks import exports as export_tasks  # noqa: F401
        from vinculo.quality.views.exports import table_export

        # The floor's registries: entry rules on every write of people, companies and deals;
        # the new-record forms' duplicate warning; the list screens' exports.
        entry_rules.register_checker(checker)
        entry_rules.register_unique_fields(unique_fields)
        duplicate_finders.register(probable_typed)
        exports.register(table_export)
        kpis.register_all()
        adoption_kpis.register_all()
