"""The people, company and deal tables: filter builder, columns, saved views and bulk actions."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages

from vinculo.contacts import services
from vinculo.contacts.models import Company, Person
from vinculo.core import services as core_services
from vinculo.core.models import SavedView

VAREJO = {"and": [{"field": "custom_fields.segmento", "op": "eq", "value": "varejo"}]}


def rows(html: str) -> list[str]:
    """The names linked from the table's rows, in order."""
    body = html.split('<tbody id="people-rows">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/people/\d+/">([^<]+)</a>', body)


def said(response) -> str:
    """Every message waiting for the user after ``response``."""
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def headers(html: str) -> list[str]:
    return re.findall(r'<th data-column="([^"]+)"', html)


@pytest.fixture
def segmento(ana):
    return services.create_custom_field(
        actor=ana.actor,
        data={
            "object_type": "person",
            "label": "Segmento",
            "key": "segmento",
            "field_type": "choice",
            "choices": ["varejo", "atacado"],
        },
    )


@pytest.fixture
def people(ana, segmento):
    made = {}
    for first, segment, stage in [
        ("Joana", "varejo", "mql"),
        ("Marcos", "atacado", "mql"),
        ("Rita", "varejo", "customer"),
        ("Sem", None, "lead"),
    ]:
        data = {"first_name": first, "lifecycle_stage": stage}
        if segment:
            data["custom_fields"] = {"segmento": segment}
        made[first] = services.create_person(actor=ana.actor, data=data)
    return made


# --- the filter builder ------------------------------------------------------------------------


def test_builder_rows_sent_as_form_fields_filter_the_table(ana, people):
    client = ana.web()
    query = urlencode(
        [
            ("fb_match", "all"),
            ("fb_field", "custom_fields.segmento"),
            ("fb_op", "eq"),
            ("fb_value", "varejo"),
            ("fb_field", "lifecycle_stage"),
            ("fb_op", "in"),
            ("fb_value", "mql, sql"),
        ]
    )
    page = client.get(f"/people/?{query}").content.decode()
    assert rows(page) == ["Joana"]
    # the JSON tree the builder stands for is in the filter box, ready for the builder to load
    tree = {
        "and": [
            {"field": "custom_fields.segmento", "op": "eq", "value": "varejo"},
            {"field": "lifecycle_stage", "op": "in", "value": ["mql", "sql"]},
        ]
    }
    assert json.dumps(tree).replace('"', "&quot;") in page
    any_of = urlencode(
        [
            ("fb_match", "any"),
            ("fb_field", "custom_fields.segmento"),
            ("fb_op", "eq"),
            ("fb_value", "atacado"),
            ("fb_field", "lifecycle_stage"),
            ("fb_op", "eq"),
            ("fb_value", "lead"),
        ]
    )
    assert sorted(rows(client.get(f"/people/?{any_of}").content.decode())) == ["Marcos", "Sem"]


def test_the_builder_gets_the_fields_operators_and_choices(ana, people):
    page = ana.web().get("/people/").content.decode()
    config = json.loads(
        re.search(
            r'<script id="filter-config" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    by_name = {f["field"]: f for f in config["fields"]}
    segment = by_name["custom_fields.segmento"]
    assert segment["custom"] and segment["type"] == "choice"
    assert [c["value"] for c in segment["choices"]] == ["varejo", "atacado"]
    assert "mql" in [c["value"] for c in by_name["lifecycle_stage"]["choices"]]
    assert (
        by_name["created_at"]["type"] == "datetime"
        and "in_last_days" in by_name["created_at"]["operators"]
    )
    assert by_name["deals"]["operators"] == ["exists", "not_exists"]  # relations: simple only
    assert config["ops"]["eq"] == "is"


def test_a_json_filter_from_the_builder_renders_the_right_rows(ana, people):
    client = ana.web()
    page = client.get("/people/", {"filter": json.dumps(VAREJO)}).content.decode()
    assert sorted(rows(page)) == ["Joana", "Rita"]
    partial = client.get(
        "/people/",
        {"filter": json.dumps(VAREJO), "q": "rita"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="people-results",
    ).content.decode()
    assert "<html" not in partial and rows(partial) == ["Rita"]


@pytest.mark.parametrize("url", ["/people/", "/companies/", "/deals/list/"])
def test_a_bad_filter_shows_its_message_instead_of_the_table(ana, url):
    client = ana.web()
    bad = {"and": [{"field": "shoe_size", "op": "eq", "value": 42}]}
    response = client.get(url, {"filter": json.dumps(bad)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-filter-error" in page and "shoe_size" in page
    assert '<table class="table' not in page
    not_json = client.get(url, {"filter": "{oops"}).content.decode()
    assert "data-filter-error" in not_json and "JSON" in not_json


# --- columns -----------------------------------------------------------------------------------


def test_columns_param_chooses_the_columns(ana, people):
    client = ana.web()
    default = client.get("/people/").content.decode()
    assert headers(default) == ["name", "email", "phone", "company", "lifecycle_stage", "tags"]
    page = client.get("/people/?columns=email,custom_fields.segmento,owner").content.decode()
    assert headers(page) == ["name", "email", "custom_fields.segmento", "owner"]
    assert '<td data-column="custom_fields.segmento">varejo</td>' in page
    # repeated parameters (the checkboxes without JavaScript) work too; unknown ones are named
    page = client.get("/people/?columns=name&columns=cpf&columns=shoe_size").content.decode()
    assert headers(page) == ["name", "cpf"]
    assert "Unknown columns were left out: shoe_size." in page
    companies = client.get("/companies/?columns=name,employees,tags").content.decode()
    assert headers(companies) == ["name", "employees", "tags"]
    deals = client.get("/deals/list/?columns=title,amount,tags").content.decode()
    assert headers(deals) == ["title", "amount", "tags"]


# --- saved views -------------------------------------------------------------------------------


def test_save_a_view_from_the_table_and_apply_it(ana, bruno, people):
    client = ana.web()
    saved = client.post(
        "/people/",
        {
            "view_action": "save_as",
            "name": "Varejo",
            "q": "",
            "filter": json.dumps(VAREJO),
            "sort": "first_name",
            "columns": "name,custom_fields.segmento",
        },
    )
    view = SavedView.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/people/?view={view.pk}"
    assert (view.filter, view.sort, view.columns) == (
        VAREJO,
        "first_name",
        ["name", "custom_fields.segmento"],
    )
    page = client.get(f"/people/?view={view.pk}").content.decode()
    assert rows(page) == ["Joana", "Rita"]  # the view's filter and sort
    assert headers(page) == ["name", "custom_fields.segmento"]
    assert 'class="view-tab active"' in page and ">Varejo<" in page
    # the address's own values win over the view's (the user changed the search)
    changed = client.get(
        f"/people/?view={view.pk}&q=rita&filter={json.dumps(VAREJO)}&columns=name"
    ).content.decode()
    assert rows(changed) == ["Rita"] and headers(changed) == ["name"]
    assert bruno.web().get(f"/people/?view={view.pk}").status_code == 404


def test_views_bar_renames_shares_and_deletes(ana, bruno, people):
    view = core_services.save_view(
        actor=ana.actor, data={"object_type": "person", "name": "Quentes", "filter": VAREJO}
    )
    client = ana.web()
    client.post("/people/", {"view_action": "rename", "view": view.pk, "name": "Mornos"})
    client.post("/people/", {"view_action": "share", "view": view.pk, "shared": "1"})
    view.refresh_from_db()
    assert (view.name, view.shared) == ("Mornos", True)
    bruno_page = bruno.web().get(f"/people/?view={view.pk}").content.decode()
    assert sorted(rows(bruno_page)) == ["Joana", "Rita"] and "Mornos" in bruno_page
    refused = bruno.web().post("/people/", {"view_action": "delete", "view": view.pk})
    assert refused.status_code == 302
    assert "Only the owner of this view" in said(refused)
    duplicate = client.post("/people/", {"view_action": "save_as", "name": "Mornos", "filter": ""})
    assert "You already have a view with this name." in said(duplicate)
    client.post("/people/", {"view_action": "delete", "view": view.pk})
    assert not SavedView.objects.exists()


def test_a_saved_view_keeps_the_toolbar_quick_filters(ana, people):
    client = ana.web()
    client.post(
        "/people/",
        {"view_action": "save_as", "name": "MQL", "filter": "", "lifecycle_stage": "mql"},
    )
    view = SavedView.objects.get()
    assert view.filter == {"and": [{"field": "lifecycle_stage", "op": "eq", "value": "mql"}]}
    assert sorted(rows(client.get(f"/people/?view={view.pk}").content.decode())) == [
        "Joana",
        "Marcos",
    ]


def test_deal_and_company_tables_save_views(ana, carla):
    client = ana.web()
    client.post(
        "/deals/list/",
        {"view_action": "save_as", "name": "Ganhos", "status": "won", "columns": "title,amount"},
    )
    deal_view = SavedView.objects.get(object_type="deal")
    assert deal_view.filter == {"and": [{"field": "status", "op": "eq", "value": "won"}]}
    assert headers(client.get(f"/deals/list/?view={deal_view.pk}").content.decode()) == [
        "title",
        "amount",
    ]
    client.post("/companies/", {"view_action": "save_as", "name": "Todas", "filter": ""})
    assert SavedView.objects.filter(object_type="company", name="Todas").exists()
    # a person view is not a deal view; Carla never sees Ana's
    assert client.get(f"/people/?view={deal_view.pk}").status_code == 404
    assert carla.web().get(f"/deals/list/?view={deal_view.pk}").status_code == 404


# --- bulk actions ------------------------------------------------------------------------------


def test_bulk_on_the_whole_filtered_set(ana, segmento):
    rows_in = services.bulk_create_people(
        actor=ana.actor,
        rows=[
            {
                "first_name": f"P{i:02d}",
                "custom_fields": {"segmento": "varejo" if i < 55 else "atacado"},
            }
            for i in range(60)
        ],
    )
    assert not rows_in.errors
    client = ana.web()
    page = client.get("/people/", {"filter": json.dumps(VAREJO)}).content.decode()
    assert len(rows(page)) == 50 and "Select all 55 matching" in page
    response = client.post(
        "/people/bulk/",
        {
            "scope": "all",
            "action": "tag",
            "tag_name": "feira",
            "filter": json.dumps(VAREJO),
            "next": "/people/",
        },
        follow=True,
    )
    assert "55 people updated." in response.content.decode()
    tagged = Person.objects.filter(tags__name="feira")
    assert tagged.count() == 55
    assert not tagged.filter(custom_fields__segmento="atacado").exists()


def test_bulk_reports_refusals_and_the_selected_rows(ana, bruno, carla, people):
    client = ana.web()
    ids = [people["Joana"].pk, people["Marcos"].pk]
    owner = client.post(
        "/people/bulk/", {"ids": ids, "action": "owner", "owner_id": bruno.user.pk}, follow=True
    )
    assert "2 people updated." in owner.content.decode()
    assert set(Person.objects.filter(owner=bruno.user).values_list("first_name", flat=True)) == {
        "Joana",
        "Marcos",
    }
    refused = client.post(
        "/people/bulk/", {"ids": ids, "action": "owner", "owner_id": carla.user.pk}, follow=True
    ).content.decode()
    assert "0 people updated; 2 refused:" in refused
    assert not Person.objects.filter(owner=carla.user).exists()
    stage = client.post(
        "/people/bulk/",
        {"scope": "all", "action": "lifecycle", "stage_key": "customer", "filter": ""},
        follow=True,
    ).content.decode()
    assert "4 people updated." in stage
    assert set(Person.objects.values_list("lifecycle_stage__key", flat=True)) == {"customer"}
    # Carla's "all matching" never reaches Ana's people
    carla.web().post("/people/bulk/", {"scope": "all", "action": "delete"})
    assert not Person.objects.filter(deleted_at__isnull=False).exists()


def test_company_bulk_actions(ana, bruno):
    acme = services.create_company(actor=ana.actor, data={"name": "Acme"})
    brasa = services.create_company(actor=ana.actor, data={"name": "Brasa"})
    client = ana.web()
    page = client.get("/companies/").content.decode()
    assert 'name="owner_id"' in page and 'name="stage_key"' in page
    client.post("/companies/", {"ids": [acme.pk], "action": "tag", "tag_name": "vip"})
    assert [t.name for t in Company.objects.get(pk=acme.pk).tags.all()] == ["vip"]
    done = client.post(
        "/companies/", {"scope": "all", "action": "delete", "q": "brasa"}, follow=True
    ).content.decode()
    assert "1 company moved to the bin." in done
    brasa.refresh_from_db()
    acme.refresh_from_db()
    assert brasa.deleted_at is not None and acme.deleted_at is None
    viewer_like = (
        bruno.web()
        .post("/companies/", {"ids": [acme.pk], "action": "delete"}, follow=True)
        .content.decode()
    )
    assert "refused" in viewer_like
    acme.refresh_from_db()
    assert acme.deleted_at is None
