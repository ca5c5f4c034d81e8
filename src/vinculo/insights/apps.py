from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from vinculo.core import workspace_defaults
        from vinculo.insights.dashboards.services import make_default_dashboards

        workspace_defaults.register("insights.dashboards", make_default_dashboards)
