from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "vinculo.quality"
    label = "quality"
    verbose_name = "Quality"
