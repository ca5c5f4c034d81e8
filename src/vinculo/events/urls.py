"""Screens and public endpoints of events (each path carries its own prefix)."""

app_name = "events"

urlpatterns: list = []
