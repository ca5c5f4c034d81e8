"""Screens of the strategy layer (under /strategy/)."""

app_name = "strategy"

urlpatterns: list = []
