"""The data-quality audit: known gaps give exactly their counts, links list exactly the
offending records, runs are scoped to the workspace and only writers start them."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from tests.api import fields_of, problem, send
from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.quality.models import AuditRun, AuditStatus, AuditTrigger
from vinculo.quality.services import audit
from vinculo.quality.services.audit import WEIGHTS, run_audit


@pytest.fixture
def messy(ana):
    """10 people: 3 without email, 2 stale, 2 sharing a phone, 1 without owner, 1 with a custom
    value that no longer fits its field."""
    contacts.create_custom_field(
        actor=ana.actor,
        data={
            "object_type": "person",
            "key": "nivel",
            "label": "Nível",
            "field_type": "choice",
            "choices": [{"value": "ouro"}, {"value": "prata"}],
        },
    )
    people = []
    for i in range(10):
        data = {"first_name": f"Pessoa {i}", "email": f"p{i}@aurora.com.br"}
        if i < 3:
            del data["email"]
        if i in (3, 4):
            data["phone"] = "(11) 98765-4321" if i == 3 else "+55 11 98765 4321"
        if i == 5:
            data["owner_id"] = None
        if i == 6:
            data["custom_fields"] = {"nivel": "ouro"}
        people.append(contacts.create_person(actor=ana.actor, data=data))
    # Data from before: an old option of the choice field, two records untouched for a year.
    Person.objects.filter(pk=people[6].pk).update(custom_fields={"nivel": "bronze"})
    year_ago = timezone.now() - timedelta(days=365)
    Person.objects.filter(pk=people[7].pk).update(created_at=year_ago)
    Person.objects.filter(pk=people[8].pk).update(
        created_at=year_ago - timedelta(days=365), last_activity_at=year_ago - timedelta(days=35)
    )
    # Old but active lately: not stale.
    Person.objects.filter(pk=people[9].pk).update(
        created_at=year_ago, last_activity_at=timezone.now() - timedelta(days=3)
    )
    return people


def _finding(run: AuditRun, key: str, object_type: str = "person") -> dict:
    findings = run.findings["objects"][object_type]["findings"]
    return next(f for f in findings if f["key"] == key)


def _field(run: AuditRun, name: str) -> dict:
    return next(f for f in run.findings["objects"]["person"]["completeness"] if f["field"] == name)


def _ids_of_link(actor, link: str) -> set[int]:
    raw = parse_qs(urlparse(link).query)["filter"][0]
    return set(contact_selectors.people(actor, filter=json.loads(raw)).values_list("pk", flat=True))


def test_known_gaps_give_exactly_their_numbers(ana, messy):
    run = run_audit(actor=ana.actor)
    assert run.status == AuditStatus.DONE and run.trigger == AuditTrigger.USER
    person = run.findings["objects"]["person"]
    assert person["total"] == 10
    email = _field(run, "email")
    assert (email["filled"], email["empty"], email["share"]) == (7, 3, 0.7)
    assert _field(run, "custom_fields.nivel")["filled"] == 1
    assert _finding(run, "stale")["count"] == 2
    assert _finding(run, "duplicates.phone")["count"] == 2
    assert _finding(run, "duplicates.email")["count"] == 0
    assert person["duplicate_surplus"] == 1
    assert _finding(run, "no_owner")["count"] == 1
    assert _finding(run, "nonconforming.custom_fields.nivel")["count"] == 1
    assert all(_finding(run, f"invalid.{f}")["count"] == 0 for f in ("email", "phone", "cpf"))
    assert person["ids"]["duplicates.phone"] == sorted([messy[3].pk, messy[4].pk])
    assert person["ids"]["nonconforming.custom_fields.nivel"] == [messy[6].pk]
    # The score is the documented weighted sum of its parts.
    parts = person["parts"]
    assert (parts["validity"], parts["freshness"], parts["uniqueness"], parts["ownership"]) == (
        0.9,
        0.8,
        0.9,
        0.9,
    )
    assert person["score"] == round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()))
    assert run.score == person["score"]  # no companies: the people's score is the score


def test_links_list_exactly_the_offending_records(ana, messy):
    run = run_audit(actor=ana.actor)
    assert _ids_of_link(ana.actor, _finding(run, "stale")["link"]) == {messy[7].pk, messy[8].pk}
    assert _ids_of_link(ana.actor, _finding(run, "no_owner")["link"]) == {messy[5].pk}
    assert _ids_of_link(ana.actor, _field(run, "email")["link"]) == {p.pk for p in messy[:3]}
    # The link opens the people list showing those records.
    page = ana.web().get(_field(run, "email")["link"]).content.decode()
    assert "Pessoa 0" in page and "Pessoa 2" in page and "Pessoa 5" not in page
    # What no filter can express is offered as an export of the offending records.
    link = _finding(run, "duplicates.phone")["link"]
    assert link.startswith("/quality/exports/new?") and f"audit={run.pk}" in link
    body = b"".join(ana.web().get(link).streaming_content).decode("utf-8-sig")
    assert "Pessoa 3" in body and "Pessoa 4" in body and "Pessoa 5" not in body


def test_invalid_values_are_counted_with_todays_validators(ana, messy):
    Person.objects.filter(pk=messy[0].pk).update(cpf="12345678900", email="sem-arroba")
    Person.objects.filter(pk=messy[1].pk).update(mobile_phone="123")
    run = run_audit(actor=ana.actor)
    assert _finding(run, "invalid.cpf")["count"] == 1
    assert _finding(run, "invalid.email")["count"] == 1
    assert _finding(run, "invalid.mobile_phone")["count"] == 1
    assert run.findings["objects"]["person"]["invalid_records"] == 3  # 0, 1 and the custom one


def test_api_runs_lists_and_gets_audits(ana, messy):
    client = ana.client()
    created = send(client, "post", "/api/v1/quality/audits", {"stale_months": 13})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "done" and body["stale_months"] == 13
    assert "ids" not in body["findings"]["objects"]["person"]
    stale = next(
        f for f in body["findings"]["objects"]["person"]["findings"] if f["key"] == "stale"
    )
    assert stale["count"] == 1  # 13 months: messy[7] (a year old) is not stale yet
    listed = client.get("/api/v1/quality/audits").json()["items"]
    assert [r["id"] for r in listed] == [body["id"]]
    got = client.get(f"/api/v1/quality/audits/{body['id']}").json()
    assert got["score"] == body["score"]
    bad = send(client, "post", "/api/v1/quality/audits", {"stale_months": 0})
    assert fields_of(problem(bad, 422)) == {"stale_months"}


def test_the_duplicates_tool_count_is_shown_when_installed(ana, messy):
    from vinculo.quality.selectors import duplicates

    run = run_audit(actor=ana.actor)
    assert run.findings["open_duplicate_pairs"] == duplicates.open_pair_count(ana.actor)
    page = ana.web().get("/quality/audit/").content.decode()
    assert 'href="/quality/duplicates/"' in page


def test_large_workspaces_are_audited_in_the_background(
    ana, messy, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from vinculo.quality.tasks.audit import run_audit_task

    monkeypatch.setattr(audit, "INLINE_LIMIT", 5)
    client = ana.web()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/quality/audit/run", {"stale_months": "6"})
    run = AuditRun.objects.for_workspace(ana.workspace).get()
    assert response.status_code == 302 and run.status == AuditStatus.QUEUED
    page = client.get(f"/quality/audit/runs/{run.pk}/").content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    assert DBTaskResult.objects.filter(task_path=run_audit_task.module_path).exists()
    run_audit_task.call(run.pk)  # what the worker runs
    run.refresh_from_db()
    assert run.status == AuditStatus.DONE and run.progress == 100
    done = client.get(f"/quality/audit/runs/{run.pk}/progress", HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == f"/quality/audit/runs/{run.pk}/"


def test_report_screen_shows_score_history_bars_and_findings(ana, messy):
    client = ana.web()
    client.post("/quality/audit/run", {"stale_months": "6"})
    client.post("/quality/audit/run", {"stale_months": "6"})
    page = client.get("/quality/audit/").content.decode()
    # The score over time: one point per run, drawn by ECharts from json_script data.
    history = json.loads(
        page.split('id="audit-history-data" type="application/json">')[1].split("<")[0]
    )
    scores = list(
        AuditRun.objects.for_workspace(ana.workspace)
        .order_by("finished_at")
        .values_list("score", flat=True)
    )
    assert history["series"][0]["values"] == scores and len(scores) == 2
    assert 'data-field="email"' in page and "3 without a value" in page
    assert 'data-finding="stale"' in page
    runs = AuditRun.objects.for_workspace(ana.workspace)
    assert runs.count() == 2 and all(r.created_by == ana.user for r in runs)


def test_schedule_audits_every_workspace(ana, carla, messy):
    from vinculo.core import schedule
    from vinculo.quality.tasks.audit import audit_all_workspaces

    assert "quality.audit" in {s.name for s in schedule.registered()}
    assert audit_all_workspaces.call() == 2
    for persona in (ana, carla):
        run = AuditRun.objects.for_workspace(persona.workspace).get()
        assert run.trigger == AuditTrigger.SCHEDULE and run.created_by is None
    assert AuditRun.objects.for_workspace(carla.workspace).get().findings["total"] == 0


def test_carla_cannot_see_anas_audits(ana, carla, messy):
    run = run_audit(actor=ana.actor)
    other = carla.client()
    assert problem(other.get(f"/api/v1/quality/audits/{run.pk}"), 404)
    assert other.get("/api/v1/quality/audits").json()["items"] == []
    ui = carla.web()
    assert ui.get(f"/quality/audit/runs/{run.pk}/").status_code == 404
    assert ui.get(f"/quality/audit/runs/{run.pk}/progress").status_code == 404
    finding = f"/quality/exports/new?audit={run.pk}&finding=person:duplicates.phone"
    assert ui.get(finding).status_code == 404
    assert "Pessoa" not in ui.get("/quality/audit/").content.decode()
    own = run_audit(actor=carla.actor)
    assert own.findings["objects"]["person"]["total"] == 0 and own.score == 100


def test_viewer_reads_reports_but_cannot_run_them(ana, vera, messy):
    run = run_audit(actor=ana.actor)
    assert problem(send(vera.client(), "post", "/api/v1/quality/audits", {}), 403)
    assert vera.web().post("/quality/audit/run", {}).status_code == 403
    assert vera.client().get(f"/api/v1/quality/audits/{run.pk}").status_code == 200
    assert vera.web().get("/quality/audit/").status_code == 200
    assert AuditRun.objects.count() == 1


def test_listing_audits_takes_a_fixed_number_of_queries(ana, messy, django_assert_max_num_queries):
    for _ in range(3):
        run_audit(actor=ana.actor)
    client = ana.client()
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/quality/audits")
    assert len(listed.json()["items"]) == 3
    ui = ana.web()
    with django_assert_max_num_queries(14):
        page = ui.get("/quality/audit/")
    assert page.status_code == 200


def test_a_phone_shared_across_phone_and_mobile_is_a_duplicate_but_ones_own_is_not(ana):
    same = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Sozinha", "phone": "11 3333-4444", "mobile_phone": "11 3333-4444"},
    )
    a = contacts.create_person(actor=ana.actor, data={"first_name": "A", "phone": "21 2222-3333"})
    b = contacts.create_person(
        actor=ana.actor, data={"first_name": "B", "mobile_phone": "(21) 2222-3333"}
    )
    run = run_audit(actor=ana.actor)
    assert run.findings["objects"]["person"]["ids"]["duplicates.phone"] == sorted([a.pk, b.pk])
    assert same.pk not in run.findings["objects"]["person"]["ids"]["duplicates.phone"]
    assert run.findings["objects"]["person"]["duplicate_surplus"] == 1


def test_deals_are_audited_too(ana):
    from vinculo.sales import selectors as sales_selectors
    from vinculo.sales import services as sales
    from vinculo.sales.models import Deal

    sales.ensure_default_pipeline(actor=ana.actor)
    fresh = sales.create_deal(
        actor=ana.actor, data={"title": "Nova", "expected_close_date": "2030-01-01"}
    )
    stuck = sales.create_deal(actor=ana.actor, data={"title": "Parada"})
    Deal.objects.filter(pk=stuck.pk).update(stage_entered_at=timezone.now() - timedelta(days=400))
    run = run_audit(actor=ana.actor)
    deal = run.findings["objects"]["deal"]
    assert deal["total"] == 2
    closing = next(f for f in deal["completeness"] if f["field"] == "expected_close_date")
    assert (closing["filled"], closing["empty"]) == (1, 1)
    stale = next(f for f in deal["findings"] if f["key"] == "stale")
    assert stale["count"] == 1 and stale["link"].startswith("/deals/list/?filter=")
    raw = parse_qs(urlparse(stale["link"]).query)["filter"][0]
    listed = sales_selectors.deals(ana.actor, filter=json.loads(raw))
    assert list(listed.values_list("pk", flat=True)) == [stuck.pk]
    assert fresh.pk not in set(listed.values_list("pk", flat=True))
    # The workspace score weighs each object type by its number of records.
    assert run.score == deal["score"]
    page = ana.web().get(stale["link"]).content.decode()
    assert "Parada" in page and "Nova" not in page
