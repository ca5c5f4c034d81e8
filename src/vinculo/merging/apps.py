from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "vinculo.merging"
    label = "merging"
    verbose_name = "Merging"
