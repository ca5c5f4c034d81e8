"""Screens and public endpoints of events (each path carries its own prefix)."""

from django.urls import path

from vinculo.events import value_tiers_views, value_views, views

app_name = "events"

urlpatterns: list = [
    path("events/", views.event_list, name="list"),
    path("events/<int:event_id>/", views.event_detail, name="detail"),
    path("events/settings/", views.settings_page, name="settings"),
    path("events/inbound/", views.endpoint_list, name="endpoints"),
    path("events/inbound/new/", views.endpoint_create, name="endpoint_create"),
    path("events/inbound/<int:endpoint_id>/", views.endpoint_detail, name="endpoint_detail"),
    path("events/inbound/<int:endpoint_id>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("events/inbound/<int:endpoint_id>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("people/<int:person_id>/purchases/", views.person_purchases, name="person_purchases"),
    path("customer-value/", value_views.customer_value, name="customer_value"),
    path("customer-value/recompute/", value_views.recompute, name="customer_value_recompute"),
    path("customer-value/tiers/", value_tiers_views.customer_tiers, name="customer_tiers"),
    path(
        "customer-value/tiers/settings/",
        value_tiers_views.save_settings,
        name="customer_tiers_settings",
    ),
    path("hooks/in/<str:token>", views.hook, name="hook"),
]
