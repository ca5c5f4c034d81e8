"""Screens and public endpoints of webforms (each path carries its own prefix)."""

app_name = "webforms"

urlpatterns: list = []
