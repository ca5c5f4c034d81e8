from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "vinculo.imports"
    label = "imports"
    verbose_name = "Imports"
