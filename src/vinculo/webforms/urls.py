"""Screens under ``/forms/``; public pages under ``/f/`` (forms) and ``/t/`` (tracking)."""

from django.urls import path

from vinculo.webforms import public, views

app_name = "webforms"

urlpatterns: list = [
    path("forms/", views.form_list, name="list"),
    path("forms/new/", views.form_create, name="create"),
    path("forms/preview/", views.form_preview, name="preview"),
    path("forms/tracking/", views.tracking_settings, name="tracking"),
    path("forms/<int:form_id>/", views.form_edit, name="edit"),
    path("forms/<int:form_id>/delete/", views.form_delete, name="delete"),
    path("forms/<int:form_id>/submissions/", views.submission_list, name="submissions"),
    path(
        "forms/<int:form_id>/submissions/<int:submission_id>/",
        views.submission_detail,
        name="submission",
    ),
    path("f/<str:key>", public.hosted, name="hosted"),
    path("f/<str:key>/submit", public.submit, name="submit"),
    path("f/<str:key>/token", public.token, name="token"),
    path("t/collect", public.collect, name="collect"),
]
