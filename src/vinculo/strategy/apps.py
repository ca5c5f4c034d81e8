from django.apps import AppConfig


class StrategyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.strategy"
    label = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        # Goals: the daily measurement's schedule and the alerts the bell shows.
        from vinculo.strategy.goals import tasks  # noqa: F401
        from vinculo.strategy.goals.wording import register_notices

        register_notices()
