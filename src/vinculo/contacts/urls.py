from django.urls import path

from vinculo.contacts import duplicate_check, views

app_name = "contacts"

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/check/", duplicate_check.check, {"object_type": "person"}, name="person_check"),
    path("people/export.csv", views.people_export, name="people_export"),
    path("people/bulk/", views.people_bulk, name="people_bulk"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", views.person_update, name="person_update"),
    path("people/<int:person_id>/consent/", views.person_consent, name="person_consent"),
    path("people/<int:person_id>/delete/", views.person_delete, name="person_delete"),
    path("people/<int:person_id>/restore/", views.person_restore, name="person_restore"),
    path("companies/", views.company_list, name="companies"),
    path("companies/new/", views.company_create, name="company_create"),
    path(
        "companies/check/",
        duplicate_check.check,
        {"object_type": "company"},
        name="company_check",
    ),
    path("companies/export", views.company_export, name="company_export"),
    path("companies/<int:company_id>/", views.company_detail, name="company"),
]
