from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from vinculo.core import settings_pages, workspace_defaults
        from vinculo.insights.dashboards.services import make_default_dashboards

        workspace_defaults.register("insights.dashboards", make_default_dashboards)
        # Settings → Dashboards: the opt-in leaderboards.
        if not any(s[0] == "dashboards" for s in settings_pages.SECTIONS):
            settings_pages.SECTIONS.append(
                (
                    "dashboards",
                    "insights:settings",
                    _("Dashboards"),
                    "insights.view",
                    "dashboards.manage",
                    _("Leaderboards: whether dashboards rank the members."),
                )
            )
