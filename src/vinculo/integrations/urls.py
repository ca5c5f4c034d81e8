"""Integration screens (webhooks, inbound endpoints) and public endpoints."""

app_name = "integrations"

urlpatterns: list = []
