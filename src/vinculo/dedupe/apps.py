from django.apps import AppConfig


class DedupeConfig(AppConfig):
    name = "vinculo.dedupe"
    label = "dedupe"
    verbose_name = "Dedupe"
