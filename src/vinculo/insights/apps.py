from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "vinculo.insights"
    label = "insights"
    verbose_name = "Insights"
