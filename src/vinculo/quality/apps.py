from django.apps import AppConfig


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.quality"
    label = "quality"
    verbose_name = "Data quality"

    def ready(self) -> None:
        from vinculo.quality import events  # noqa: F401  (declares event types)

        # The tasks modules bind the jobs the services queue by name (vinculo.core.jobs) and
        # register their recurring tasks: the nightly audit, expired exports, imports whose
        # worker died.
        from vinculo.quality.tasks import audit, duplicates, exports, imports  # noqa: F401
