from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "vinculo.integrations"
    label = "integrations"
    verbose_name = "Integrations"
