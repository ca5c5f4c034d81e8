"""The look-ups of a batch hit the right index (SQLite: ``EXPLAIN QUERY PLAN``), so ingestion
does not slow down as the events table grows; and the collector is back on after a batch."""

from __future__ import annotations

import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vinculo.contacts import services as contacts
from vinculo.core.errors import ValidationFailed
from vinculo.events.services import ingest_events, link_visitor

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="query plans are SQLite's (PostgreSQL plans by cost)"
)


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def captured(queries: CaptureQueriesContext, needle: str) -> str:
    found = [q["sql"] for q in queries.captured_queries if needle in q["sql"]]
    assert found, f"no query with {needle!r}"
    return found[0]


@sqlite_only
def test_the_duplicate_key_look_up_uses_the_unique_key_index(ana):
    ingest_events(actor=ana.actor, rows=[{"name": "app.login", "key": "k-1", "visitor_id": "v1"}])
    with CaptureQueriesContext(connection) as queries:
        ingest_events(
            actor=ana.actor, rows=[{"name": "app.login", "key": "k-2", "visitor_id": "v1"}]
        )
    sql = captured(queries, '"key" IN (')
    plan = plan_of(sql)
    assert "uniq_tracked_event_key" in plan, plan


@sqlite_only
def test_linking_a_visitor_reads_their_events_through_the_visitor_index(ana):
    person = contacts.create_person(
        actor=ana.actor, data={"first_name": "Rita", "email": "rita@cliente.com.br"}
    )
    ingest_events(actor=ana.actor, rows=[{"name": "page_viewed", "visitor_id": "visitor-9"}])
    with CaptureQueriesContext(connection) as queries:
        assert link_visitor(actor=ana.actor, visitor_id="visitor-9", person_id=person.pk) == 1
    sql = captured(queries, '"events_trackedevent"."visitor_id" =')
    plan = plan_of(sql.replace(" FOR UPDATE", ""))
    assert "ev_visitor" in plan, plan


def test_the_collector_is_back_on_after_a_batch_and_after_a_refused_one(ana):
    assert gc.isenabled()
    ingest_events(actor=ana.actor, rows=[{"name": "app.login", "visitor_id": "v2"}])
    assert gc.isenabled()
    with pytest.raises(ValidationFailed):
        ingest_events(actor=ana.actor, rows=[{}] * 1001)
    assert gc.isenabled()


@sqlite_only
@pytest.mark.parametrize(
    ("column", "index"),
    [
        ("company_id", "timeline_company"),
        ("deal_id", "timeline_deal"),
        ("activity_id", "timeline_activity"),
    ],
)
def test_the_partial_timeline_indexes_serve_a_record_s_timeline(ana, column, index):
    """The company, deal and activity indexes leave out entries without one (most entries are a
    person's only); a record's timeline (newest first) and an activity's entries (edits,
    deletes) still use them."""
    from vinculo.activities.models import TimelineEntry

    entries = TimelineEntry.objects.filter(workspace_id=ana.workspace.pk, **{column: 7})
    if column != "activity_id":
        entries = entries.order_by("-occurred_at", "-id")
    sql = str(entries.query)
    plan = plan_of(sql)
    assert index in plan, plan
