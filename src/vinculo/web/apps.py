from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "vinculo.web"
    label = "web"
    verbose_name = "Web app"
