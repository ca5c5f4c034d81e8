"""Saved table views: services (validation, ownership, sharing, audit) and the /views API."""

from __future__ import annotations

import pytest

from tests.api import send
from vinculo.contacts import services as contact_services
from vinculo.core import selectors, services
from vinculo.core.errors import NotFound, PermissionDenied, ValidationFailed
from vinculo.core.models import AuditEntry, SavedView

VAREJO = {"and": [{"field": "custom_fields.segmento", "op": "eq", "value": "varejo"}]}


@pytest.fixture
def segmento(ana):
    return contact_services.create_custom_field(
        actor=ana.actor,
        data={
            "object_type": "person",
            "label": "Segmento",
            "key": "segmento",
            "field_type": "choice",
            "choices": ["varejo", "atacado"],
        },
    )


def fields_of(response, status: int) -> list[str]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


def _view(persona, name="Varejo", **extra):
    data = {"object_type": "person", "name": name, **extra}
    return services.save_view(actor=persona.actor, data=data)


# --- services ---------------------------------------------------------------------------------


def test_save_view_keeps_filter_columns_sort_and_search_and_audits(ana, segmento):
    view = _view(
        ana,
        filter=VAREJO,
        columns=["name", "email", "custom_fields.segmento"],
        sort="-created_at",
        search="joana",
    )
    view.refresh_from_db()
    assert (view.owner, view.shared, view.filter) == (ana.user, False, VAREJO)
    assert view.columns == ["name", "email", "custom_fields.segmento"]
    assert (view.sort, view.search) == ("-created_at", "joana")
    entry = AuditEntry.objects.get(action="saved_view.created")
    assert entry.object_id == str(view.pk) and entry.changes["name"] == [None, "Varejo"]


def test_save_view_names_every_bad_field_and_writes_nothing(ana):
    with pytest.raises(ValidationFailed) as caught:
        services.save_view(
            actor=ana.actor,
            data={
                "object_type": "person",
                "name": " ",
                "filter": {"and": [{"field": "nope", "op": "eq", "value": 1}]},
                "columns": ["name", "shoe_size"],
                "sort": "shoe_size",
                "color": "blue",
            },
        )
    fields = {e.field for e in caught.value.errors}
    assert {"name", "filter.and.0.field", "columns.1", "sort", "color"} <= fields
    with pytest.raises(ValidationFailed) as caught:
        services.save_view(actor=ana.actor, data={"object_type": "ticket", "name": "X"})
    assert caught.value.errors[0].field == "object_type"
    assert not SavedView.objects.exists()


def test_names_are_unique_per_owner_and_object_type(ana, bruno):
    _view(ana, "Quentes")
    with pytest.raises(ValidationFailed) as caught:
        _view(ana, "quentes")
    assert caught.value.errors[0].field == "name"
    _view(bruno, "Quentes")  # another owner may use the name
    services.save_view(actor=ana.actor, data={"object_type": "deal", "name": "Quentes"})
    assert SavedView.objects.count() == 3


def test_personal_views_are_the_owners_and_shared_ones_are_seen_by_all(ana, bruno, vera, carla):
    personal = _view(ana, "Minha")
    shared = _view(ana, "Time", shared=True)
    assert {v.name for v in selectors.views(ana.actor, "person")} == {"Minha", "Time"}
    assert [v.name for v in selectors.views(bruno.actor, "person")] == ["Time"]
    assert [v.name for v in selectors.views(vera.actor)] == ["Time"]
    assert list(selectors.views(carla.actor)) == []
    with pytest.raises(NotFound):
        selectors.get_view(bruno.actor, personal.pk)
    with pytest.raises(NotFound):
        selectors.get_view(carla.actor, shared.pk)
    # Bruno (sales rep) sees the shared view but may not change it; nobody touches a personal one
    with pytest.raises(PermissionDenied):
        services.update_view(actor=bruno.actor, view_id=shared.pk, data={"name": "Meu"})
    with pytest.raises(NotFound):
        services.delete_view(actor=bruno.actor, view_id=personal.pk)
    shared.refresh_from_db()
    assert shared.name == "Time"


def test_admins_and_managers_may_edit_shared_views(ana, bruno):
    theirs = _view(bruno, "Do Bruno", shared=True)
    updated = services.update_view(
        actor=ana.actor, view_id=theirs.pk, data={"name": "Do time", "sort": "first_name"}
    )
    assert (updated.name, updated.sort, updated.owner) == ("Do time", "first_name", bruno.user)
    entry = AuditEntry.objects.get(action="saved_view.updated")
    assert entry.changes["name"] == ["Do Bruno", "Do time"]
    services.delete_view(actor=ana.actor, view_id=theirs.pk)
    assert not SavedView.objects.exists()
    assert AuditEntry.objects.filter(action="saved_view.deleted").count() == 1


def test_a_viewer_keeps_personal_views_but_cannot_share(vera):
    mine = _view(vera, "Leitura")
    with pytest.raises(PermissionDenied):
        services.update_view(actor=vera.actor, view_id=mine.pk, data={"shared": True})
    with pytest.raises(PermissionDenied):
        _view(vera, "Aberta", shared=True)
    assert SavedView.objects.get().shared is False


def test_update_refuses_a_bad_filter_and_keeps_the_view(ana):
    view = _view(ana, filter={"and": [{"field": "email", "op": "contains", "value": "@"}]})
    with pytest.raises(ValidationFailed) as caught:
        services.update_view(
            actor=ana.actor,
            view_id=view.pk,
            data={"filter": {"and": [{"field": "email", "op": "gt", "value": 1}]}},
        )
    assert caught.value.errors[0].field == "filter.and.0.op"
    view.refresh_from_db()
    assert view.filter["and"][0]["op"] == "contains"


# --- API --------------------------------------------------------------------------------------


def test_api_creates_lists_patches_and_deletes(ana, segmento, django_assert_max_num_queries):
    client = ana.client()
    created = send(
        client,
        "post",
        "/api/v1/views",
        {"object_type": "person", "name": "Varejo", "filter": VAREJO, "columns": ["email"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["filter"] == VAREJO and body["owner_id"] == ana.user.pk
    _view(ana, "Outra")
    with django_assert_max_num_queries(6):
        listed = client.get("/api/v1/views?object_type=person")
    assert [v["name"] for v in listed.json()["items"]] == ["Varejo", "Outra"]
    assert client.get("/api/v1/views?object_type=deal").json()["items"] == []
    with django_assert_max_num_queries(6):
        one = client.get(f"/api/v1/views/{body['id']}")
    assert one.json()["name"] == "Varejo"
    patched = send(client, "patch", f"/api/v1/views/{body['id']}", {"shared": True, "filter": None})
    assert patched.status_code == 200 and patched.json()["shared"] is True
    assert patched.json()["filter"] is None
    assert send(client, "delete", f"/api/v1/views/{body['id']}").status_code == 204
    assert not SavedView.objects.filter(pk=body["id"]).exists()


def test_api_bad_input_names_the_field_and_writes_nothing(ana):
    client = ana.client()
    bad_filter = send(
        client,
        "post",
        "/api/v1/views",
        {"object_type": "person", "name": "X", "filter": {"field": "email", "op": "gt"}},
    )
    assert "filter.op" in fields_of(bad_filter, 422)
    bad_columns = send(
        client, "post", "/api/v1/views", {"object_type": "deal", "name": "X", "columns": ["cpf"]}
    )
    assert fields_of(bad_columns, 422) == ["columns.0"]
    _view(ana, "Igual")
    duplicate = send(client, "post", "/api/v1/views", {"object_type": "person", "name": "Igual"})
    assert fields_of(duplicate, 422) == ["name"]
    assert SavedView.objects.count() == 1
    view = SavedView.objects.get()
    bad_sort = send(client, "patch", f"/api/v1/views/{view.pk}", {"sort": "-shoe"})
    assert fields_of(bad_sort, 422) == ["sort"]
    view.refresh_from_db()
    assert view.sort == ""


def test_api_isolation_carla_and_bruno(ana, bruno, carla):
    personal = _view(ana, "Pessoal")
    shared = _view(ana, "Compartilhada", shared=True)
    carla_client = carla.client()
    assert carla_client.get("/api/v1/views").json()["items"] == []
    for view in (personal, shared):
        assert carla_client.get(f"/api/v1/views/{view.pk}").status_code == 404
        assert (
            send(carla_client, "patch", f"/api/v1/views/{view.pk}", {"name": "x"}).status_code
            == 404
        )
        assert send(carla_client, "delete", f"/api/v1/views/{view.pk}").status_code == 404
    bruno_client = bruno.client()
    assert [v["name"] for v in bruno_client.get("/api/v1/views").json()["items"]] == [
        "Compartilhada"
    ]
    assert bruno_client.get(f"/api/v1/views/{personal.pk}").status_code == 404
    assert send(bruno_client, "delete", f"/api/v1/views/{personal.pk}").status_code == 404
    refused = send(bruno_client, "patch", f"/api/v1/views/{shared.pk}", {"name": "Minha"})
    assert refused.status_code == 403
    assert send(bruno_client, "delete", f"/api/v1/views/{shared.pk}").status_code == 403
    assert {v.name for v in SavedView.objects.all()} == {"Pessoal", "Compartilhada"}
