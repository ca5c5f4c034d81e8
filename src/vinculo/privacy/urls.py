from django.urls import path

from vinculo.privacy import views

app_name = "privacy"

urlpatterns = [
    path("settings/privacy/", views.settings_view, name="settings"),
    path("settings/privacy/requests/", views.requests_view, name="requests"),
    path("settings/privacy/requests/<int:request_id>/", views.request_edit, name="request"),
    path(
        "settings/privacy/requests/<int:request_id>/delete/",
        views.request_delete,
        name="request_delete",
    ),
    path("people/<int:person_id>/data/", views.person_document, name="person_document"),
    path("people/<int:person_id>/data.json", views.person_json, name="person_json"),
    path("people/<int:person_id>/erase/", views.person_erase, name="person_erase"),
    path("people/<int:person_id>/access-log/", views.person_access_log, name="person_access_log"),
]
