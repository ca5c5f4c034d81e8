from django.apps import AppConfig


class StrategyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.strategy"
    label = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        from vinculo.core import workspace_defaults
        from vinculo.strategy.glossary_services import make_default_glossary

        workspace_defaults.register("strategy.glossary", make_default_glossary)
        # Goals: the daily measurement's schedule and the alerts the bell shows.
        from vinculo.strategy.goals import tasks  # noqa: F401
        from vinculo.strategy.goals.wording import register_notices
        from vinculo.strategy.reviews.reminders import register_notices as review_notices

        register_notices()
        review_notices()
