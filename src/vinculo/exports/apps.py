from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "vinculo.exports"
    label = "exports"
    verbose_name = "Exports"
