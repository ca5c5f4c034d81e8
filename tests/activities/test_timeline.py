"""Timelines: everything about a record, newest first, paged, the bin hidden, few queries."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.api import fields_of, problem, send
from vinculo.activities import services
from vinculo.activities.models import TimelineEntry
from vinculo.core import timeline


def test_a_person_timeline_holds_everything_about_them(ana, a):
    now = timezone.now()
    own = services.log_activity(
        actor=ana.actor,
        data={"kind": "call", "person_id": a.person.pk, "occurred_at": now - timedelta(hours=3)},
    )
    on_deal = services.log_activity(
        actor=ana.actor,
        data={"kind": "note", "body": "Quer entrega", "deal_id": a.deal.pk,
              "occurred_at": now - timedelta(hours=2)},
    )  # fmt: skip
    # What the sales and contacts services write.
    timeline.record(
        ana.actor,
        "deal.stage_changed",
        "Proposta → Negociação",
        person=a.person,
        company=a.company,
        deal=a.deal,
        occurred_at=now - timedelta(hours=1),
    )
    timeline.record(
        ana.actor, "person.lifecycle_changed", "Lead → Cliente", person=a.person, occurred_at=now
    )
    response = ana.client().get(f"/api/v1/people/{a.person.pk}/timeline")
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [i["kind"] for i in items] == [
        "person.lifecycle_changed",
        "deal.stage_changed",
        "activity.note",
        "activity.call",
    ]
    note = items[2]
    assert note["activity"]["id"] == on_deal.pk and note["activity"]["kind"] == "note"
    assert note["actor"] == {"id": ana.user.pk, "label": ana.user.email}
    assert (note["person_id"], note["company_id"], note["deal_id"]) == (
        a.person.pk,
        a.company.pk,
        a.deal.pk,
    )
    assert note["source"] == "api" and note["summary"] == "Quer entrega"
    assert items[0]["activity"] is None
    assert items[3]["activity"]["id"] == own.pk

    deal_kinds = [
        i["kind"] for i in ana.client().get(f"/api/v1/deals/{a.deal.pk}/timeline").json()["items"]
    ]
    assert deal_kinds == ["deal.stage_changed", "activity.note"]
    company = ana.client().get(f"/api/v1/companies/{a.company.pk}/timeline").json()["items"]
    assert [i["kind"] for i in company] == ["deal.stage_changed", "activity.note"]

    only = (
        ana.client()
        .get(f"/api/v1/people/{a.person.pk}/timeline?kinds=activity.*&kinds=deal.stage_changed")
        .json()["items"]
    )
    assert [i["kind"] for i in only] == ["deal.stage_changed", "activity.note", "activity.call"]
    comma = (
        ana.client()
        .get(f"/api/v1/people/{a.person.pk}/timeline?kinds=activity.call,person.lifecycle_changed")
        .json()["items"]
    )
    assert [i["kind"] for i in comma] == ["person.lifecycle_changed", "activity.call"]


def test_the_bin_hides_an_activity_from_the_timeline_and_restore_brings_it_back(ana, a):
    client = ana.client()
    task = services.create_task(
        actor=ana.actor, data={"subject": "Ligar", "person_id": a.person.pk}
    )
    services.complete_task(actor=ana.actor, activity_id=task.pk)
    url = f"/api/v1/people/{a.person.pk}/timeline"
    assert {i["kind"] for i in client.get(url).json()["items"]} == {
        "activity.task",
        "task.completed",
    }

    assert client.delete(f"/api/v1/activities/{task.pk}").status_code == 204
    assert client.get(url).json()["items"] == []
    assert client.get("/api/v1/activities").json()["items"] == []
    binned = client.get("/api/v1/activities?deleted=true").json()["items"]
    assert [x["id"] for x in binned] == [task.pk] and binned[0]["deleted_at"]
    assert client.get(f"/api/v1/activities/{task.pk}").json()["deleted_at"]
    problem(send(client, "patch", f"/api/v1/activities/{task.pk}", {"subject": "Z"}), 409)

    restored = send(client, "post", f"/api/v1/activities/{task.pk}/restore")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
    assert {i["kind"] for i in client.get(url).json()["items"]} == {
        "activity.task",
        "task.completed",
    }
    assert TimelineEntry.objects.filter(activity=task).count() == 2


def test_pages_are_newest_first_without_duplicates_or_gaps(ana, a):
    base = timezone.now() - timedelta(days=10)
    rows = [
        # Ties on occurred_at are broken by id.
        {"kind": "note", "body": f"n{i}", "person_id": a.person.pk,
         "occurred_at": (base + timedelta(hours=i // 3)).isoformat()}
        for i in range(25)
    ]  # fmt: skip
    services.bulk_log_activities(actor=ana.actor, rows=rows)
    client = ana.client()
    seen: list[dict] = []
    url = f"/api/v1/people/{a.person.pk}/timeline?limit=10"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        url = f"/api/v1/people/{a.person.pk}/timeline?limit=10&cursor={cursor}" if cursor else ""
    assert pages == 3
    assert len(seen) == 25 == len({i["id"] for i in seen})
    keys = [(i["occurred_at"], i["id"]) for i in seen]
    assert keys == sorted(keys, reverse=True)
    assert fields_of(
        problem(client.get(f"/api/v1/people/{a.person.pk}/timeline?cursor=!!"), 422)
    ) == {"cursor"}


def test_a_long_timeline_is_served_in_a_bounded_number_of_queries(
    ana, bruno, a, django_assert_max_num_queries
):
    base = timezone.now() - timedelta(days=400)
    rows = [
        {"kind": "call", "person_id": a.person.pk, "subject": f"Ligação {i}",
         "occurred_at": (base + timedelta(hours=i)).isoformat()}
        for i in range(1000)
    ]  # fmt: skip
    result = services.bulk_log_activities(actor=bruno.actor, rows=rows, max_rows=1000)
    assert len(result.created) == 1000 and not result.errors
    client = ana.client()
    client.get("/api/v1/me")  # the token's last use is noted once a minute; not what we count
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/v1/people/{a.person.pk}/timeline?limit=200")
    body = response.json()
    assert len(body["items"]) == 200 and body["next_cursor"]
    assert body["items"][0]["activity"]["subject"] == "Ligação 999"
    assert {i["actor"]["id"] for i in body["items"]} == {bruno.user.pk}
    with django_assert_max_num_queries(5):
        client.get(f"/api/v1/people/{a.person.pk}/timeline?limit=200&cursor={body['next_cursor']}")
    with django_assert_max_num_queries(5):
        listed = client.get(f"/api/v1/activities?person_id={a.person.pk}&limit=200")
    assert len(listed.json()["items"]) == 200


def test_a_timeline_needs_a_record_of_the_workspace(ana, a, c):
    client = ana.client()
    for url in [
        f"/api/v1/people/{c.person.pk}/timeline",
        f"/api/v1/companies/{c.company.pk}/timeline",
        f"/api/v1/deals/{c.deal.pk}/timeline",
        "/api/v1/people/999999/timeline",
    ]:
        problem(client.get(url), 404)
