from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.scoring"
    label = "scoring"
    verbose_name = "Lead scoring"

    def ready(self) -> None:
        # Registers the daily retrain-and-recompute schedule and the recompute job.
        from vinculo.core import record_pages, settings_pages
        from vinculo.scoring import tasks  # noqa: F401
        from vinculo.scoring.record_pages import person_score

        # The lead score card of the person's page (scoring/_lead_score.html).
        record_pages.register("person", "lead_score", person_score)
        if not any(s[0] == "scoring" for s in settings_pages.SECTIONS):
            settings_pages.SECTIONS.append(
                (
                    "scoring",
                    "scoring:rules",
                    _("Lead scoring"),
                    "records.view",
                    "settings.manage",
                    _("Points for fields and behaviour; the predictive model."),
                )
            )
