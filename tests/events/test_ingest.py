"""ingest_events and link_visitor: bad rows named, replays idempotent, people resolved or created
as leads per the settings, purchases, the timeline and the domain events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from vinculo.activities.models import TimelineEntry
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.errors import NotFound, PermissionDenied, ValidationFailed
from vinculo.core.models import DomainEvent
from vinculo.events.models import PersonIdentity, Purchase, TrackedEvent, VisitorLink
from vinculo.events.selectors import purchase_totals
from vinculo.events.services import ingest_events, link_visitor, update_event_settings


@pytest.fixture
def maria(ana):
    return contacts.create_person(
        actor=ana.actor,
        data={
            "first_name": "Maria",
            "last_name": "Souza",
            "email": "maria@cliente.com.br",
            "phone": "(11) 98765-4321",
        },
    )


def errors_by_row(result) -> dict[int, set[str]]:
    return {e.index: {f.field for f in e.errors} for e in result.errors}


def test_a_batch_with_bad_rows_keeps_the_good_ones_and_names_each_bad_row(ana, maria):
    rows = [
        {
            "name": "page_viewed",
            "person": {"email": "MARIA@cliente.com.br"},
            "properties": {"url": "https://aurora.test/pricing?x=1"},
        },
        {"name": "purchase", "person": {"id": maria.pk}, "amount": "abc"},
        {"name": "Bad Name", "person": {"id": maria.pk}},
        {
            "name": "purchase",
            "person": {"phone": "+55 11 98765-4321"},
            "amount": "120.00",
            "order_id": "123",
        },
        {"name": "promo_code_used", "person": {"id": maria.pk}},
        {"name": "page_viewed", "person": {"email": "not-an-email"}},
        {
            "name": "page_viewed",
            "person": {"id": maria.pk},
            "occurred_at": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        "not an object",
        {"name": "page_viewed", "person": {"id": maria.pk}, "colour": "blue"},
    ]
    result = ingest_events(actor=ana.actor, rows=rows)

    assert [r.status for r in result.rows] == [
        "created",
        "error",
        "error",
        "created",
        "error",
        "error",
        "error",
        "error",
        "error",
    ]
    assert errors_by_row(result) == {
        1: {"amount"},
        2: {"name"},
        4: {"properties.code"},
        5: {"person.email"},
        6: {"occurred_at"},
        7: {""},
        8: {"colour"},
    }
    assert [e.name for e in result.created] == ["page_viewed", "purchase"]
    assert {e.person_id for e in result.created} == {maria.pk}
    assert result.created[0].properties["path"] == "/pricing"
    assert TrackedEvent.objects.count() == 2
    assert result.counts == {"created": 2, "duplicate": 0, "error": 7}


def test_replaying_a_batch_with_the_same_keys_creates_nothing_new(ana, maria):
    rows = [
        {"name": "purchase", "key": f"order-{i}", "person": {"id": maria.pk}, "amount": 10 + i}
        for i in range(5)
    ]
    first = ingest_events(actor=ana.actor, rows=rows)
    counts = (
        TrackedEvent.objects.count(),
        Purchase.objects.count(),
        TimelineEntry.objects.filter(kind="event.purchase").count(),
        DomainEvent.objects.filter(name="event.received").count(),
    )

    again = ingest_events(actor=ana.actor, rows=rows)

    assert [r.status for r in again.rows] == ["duplicate"] * 5
    assert [r.event_id for r in again.rows] == [e.pk for e in first.created]
    assert again.created == []
    assert counts == (5, 5, 5, 5)
    assert (
        TrackedEvent.objects.count(),
        Purchase.objects.count(),
        TimelineEntry.objects.filter(kind="event.purchase").count(),
        DomainEvent.objects.filter(name="event.received").count(),
    ) == counts


def test_a_key_repeated_inside_one_batch_is_stored_once(ana, maria):
    row = {"name": "page_viewed", "key": "k1", "person": {"id": maria.pk}}
    result = ingest_events(actor=ana.actor, rows=[row, row])
    assert [r.status for r in result.rows] == ["created", "duplicate"]
    assert result.rows[0].event_id == result.rows[1].event_id
    assert TrackedEvent.objects.count() == 1


def test_keys_are_per_workspace(ana, carla, maria):
    ingest_events(
        actor=ana.actor, rows=[{"name": "x.y", "key": "same", "person": {"id": maria.pk}}]
    )
    result = ingest_events(
        actor=carla.actor, rows=[{"name": "x.y", "key": "same", "person": {"email": "a@b.com.br"}}]
    )
    assert result.rows[0].status == "created"


def test_unknown_people_are_created_as_leads_once_per_batch(ana):
    rows = [
        {"name": "page_viewed", "person": {"email": "nova@lead.com.br", "first_name": "Nova"}},
        {
            "name": "content_downloaded",
            "person": {"email": "nova@lead.com.br"},
            "properties": {"title": "Guia"},
        },
        {"name": "purchase", "person": {"external_id": "C-9", "system": "Shop"}, "amount": 5},
    ]
    result = ingest_events(actor=ana.actor, rows=rows)

    assert result.people_created == 2
    nova = Person.objects.get(email="nova@lead.com.br")
    assert nova.first_name == "Nova" and nova.source == "events"
    assert nova.lifecycle_stage.key == "lead"
    assert [r.person_id for r in result.rows[:2]] == [nova.pk, nova.pk]
    identity = PersonIdentity.objects.get(system="shop", external_id="C-9")
    assert identity.person_id == result.rows[2].person_id

    # Later events with the external id resolve to the same person, nobody new.
    later = ingest_events(
        actor=ana.actor, rows=[{"name": "x", "person": {"external_id": "C-9", "system": "shop"}}]
    )
    assert later.rows[0].person_id == identity.person_id and later.people_created == 0


def test_unknown_people_are_refused_when_the_setting_is_off(ana):
    update_event_settings(actor=ana.actor, data={"create_unknown_people": False})
    with translation.override("en"):  # the message is checked in English
        result = ingest_events(
            actor=ana.actor,
            rows=[
                {"name": "page_viewed", "person": {"email": "ninguem@x.com.br"}},
                {
                    "name": "page_viewed",
                    "person": {"email": "ninguem@x.com.br"},
                    "visitor_id": "v-1",
                },
            ],
        )
    assert errors_by_row(result) == {0: {"person"}}
    assert "switched off" in result.errors[0].errors[0].message
    assert result.rows[1].status == "created" and result.rows[1].person_id is None
    assert not Person.objects.filter(email="ninguem@x.com.br").exists()


def test_settings_refuse_an_unknown_stage_and_need_the_permission(ana, bruno):
    with pytest.raises(ValidationFailed) as exc:
        update_event_settings(actor=ana.actor, data={"lead_stage": "nope"})
    assert exc.value.errors[0].field == "lead_stage"
    with pytest.raises(PermissionDenied):
        update_event_settings(actor=bruno.actor, data={"lead_source": "x"})


def test_an_unknown_person_id_is_refused_not_created(ana, carla):
    theirs = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    result = ingest_events(actor=ana.actor, rows=[{"name": "x", "person": {"id": theirs.pk}}])
    assert errors_by_row(result) == {0: {"person.id"}}


def test_purchases_feed_the_history_and_totals(ana, maria):
    ingest_events(
        actor=ana.actor,
        rows=[
            {
                "name": "purchase",
                "person": {"id": maria.pk},
                "amount": "120.00",
                "order_id": "1",
                "occurred_at": "2026-01-10T10:00:00-03:00",
            },
            {
                "name": "purchase",
                "person": {"id": maria.pk},
                "order_id": "2",
                "items": [
                    {"sku": "PAO", "quantity": 3, "unit_price": "2.50"},
                    {"name": "Café", "quantity": 1, "unit_price": 8},
                ],
                "occurred_at": "2026-02-01T10:00:00-03:00",
            },
            {"name": "purchase", "person": {"id": maria.pk}, "amount": 10, "currency": "usd"},
        ],
    )
    second = Purchase.objects.get(order_id="2")
    assert second.amount == Decimal("15.50") and second.currency == "BRL"
    assert second.items[0] == {"sku": "PAO", "name": "", "quantity": "3", "unit_price": "2.50"}
    totals = purchase_totals(ana.actor, maria.pk)
    assert totals["order_count"] == 3
    assert totals["by_currency"] == {"BRL": Decimal("135.50"), "USD": Decimal("10.00")}
    assert totals["last_purchase_at"] is not None


def test_each_event_lands_on_the_timeline_and_emits_a_domain_event(ana, maria):
    with translation.override("en"):
        result = ingest_events(
            actor=ana.actor,
            rows=[
                {
                    "name": "purchase",
                    "person": {"id": maria.pk},
                    "amount": "120",
                    "order_id": "123",
                },
                {
                    "name": "page_viewed",
                    "person": {"id": maria.pk},
                    "properties": {"path": "/pricing"},
                },
            ],
        )
    entries = TimelineEntry.objects.filter(person=maria).order_by("id")
    summaries = [e.summary for e in entries if e.kind.startswith("event.")]
    assert summaries == ["Bought R$120.00 (order 123)", "Viewed /pricing"]
    received = DomainEvent.objects.filter(name="event.received").order_by("id")
    assert [d.subject_id for d in received] == [str(e.pk) for e in result.created]
    assert received[0].payload["amount"] == "120.00"
    assert received[1].payload["person_id"] == maria.pk
    recorded = DomainEvent.objects.get(name="purchase.recorded")
    assert recorded.payload["order_id"] == "123"


def test_link_visitor_attaches_earlier_events_and_later_ones(ana, maria):
    ingest_events(
        actor=ana.actor,
        rows=[
            {"name": "page_viewed", "visitor_id": "v-42", "properties": {"path": f"/p{i}"}}
            for i in range(3)
        ],
    )
    assert TimelineEntry.objects.filter(person=maria, kind="event.page_viewed").count() == 0

    linked = link_visitor(actor=ana.actor, visitor_id="v-42", person_id=maria.pk)

    assert linked == 3
    assert TrackedEvent.objects.filter(person=maria).count() == 3
    assert TimelineEntry.objects.filter(person=maria, kind="event.page_viewed").count() == 3
    assert VisitorLink.objects.get(visitor_id="v-42").person_id == maria.pk
    later = ingest_events(actor=ana.actor, rows=[{"name": "page_viewed", "visitor_id": "v-42"}])
    assert later.rows[0].person_id == maria.pk
    assert link_visitor(actor=ana.actor, visitor_id="v-42", person_id=maria.pk) == 0


def test_link_visitor_stays_in_the_workspace(ana, carla, maria):
    ingest_events(actor=carla.actor, rows=[{"name": "page_viewed", "visitor_id": "v-1"}])
    with pytest.raises(NotFound):
        link_visitor(actor=carla.actor, visitor_id="v-1", person_id=maria.pk)
    assert link_visitor(actor=ana.actor, visitor_id="v-1", person_id=maria.pk) == 0
    assert TrackedEvent.objects.get(visitor_id="v-1").person_id is None


def test_too_many_rows_or_not_a_list_is_refused_whole(ana):
    with pytest.raises(ValidationFailed):
        ingest_events(actor=ana.actor, rows=[{"name": "x"}] * 3, max_rows=2)
    with pytest.raises(ValidationFailed):
        ingest_events(actor=ana.actor, rows={"name": "x"})  # type: ignore[arg-type]


def test_a_viewer_cannot_ingest(vera):
    with pytest.raises(PermissionDenied):
        ingest_events(actor=vera.actor, rows=[])


@pytest.mark.parametrize("language", ["en", "pt-br"])
@pytest.mark.parametrize("currency", ["BRL", "USD", "EUR", "JPY", "KWD"])
def test_summaries_write_money_as_babel_does(language, currency):
    from babel.numbers import format_currency

    from vinculo.core.formats import format_money

    locale = {"en": "en", "pt-br": "pt_BR"}[language]
    with translation.override(language):
        for amount in ("0.00", "5.50", "-5.50", "120.00", "1234567.89"):
            value = Decimal(amount)
            assert format_money(value, currency) == format_currency(value, currency, locale=locale)


def test_domain_event_payloads_are_exact_json_even_for_awkward_text(ana, maria):
    """The payloads are assembled from already-encoded parts: keys, order ids and properties
    with quotes, backslashes, accents and emoji must come back exactly."""
    key = 'pedido "42" \\ ação 🎉'
    order = 'N\u00ba "7"\\x'
    properties = {"nota": 'diz "oi"\n\\ çà', "n": 3, "lista": [1, None, True]}
    with translation.override("en"):
        result = ingest_events(
            actor=ana.actor,
            rows=[
                {
                    "name": "purchase",
                    "key": key,
                    "person": {"id": maria.pk},
                    "amount": "9.90",
                    "currency": "usd",
                    "order_id": order,
                    "properties": properties,
                    "occurred_at": "2026-11-20T10:00:00-03:00",
                },
                {"name": "app.login", "visitor_id": "v:1.a-b_c", "key": "k2"},
            ],
        )
    bought, login = result.created
    received = {d.subject_id: d.payload for d in DomainEvent.objects.filter(name="event.received")}
    assert received[str(bought.pk)] == {
        "id": bought.pk,
        "name": "purchase",
        "person_id": maria.pk,
        "visitor_id": "",
        "occurred_at": "2026-11-20T10:00:00-03:00",
        "source": "api",
        "key": key,
        "properties": properties,
        "amount": "9.90",
        "currency": "USD",
        "order_id": order,
    }
    assert received[str(login.pk)] == {
        "id": login.pk,
        "name": "app.login",
        "person_id": None,
        "visitor_id": "v:1.a-b_c",
        "occurred_at": login.occurred_at.isoformat(),
        "source": "api",
        "key": "k2",
        "properties": {},
    }
    recorded = DomainEvent.objects.get(name="purchase.recorded")
    assert recorded.payload == {
        "event_id": bought.pk,
        "person_id": maria.pk,
        "order_id": order,
        "amount": "9.90",
        "currency": "USD",
        "item_count": 0,
        "occurred_at": "2026-11-20T10:00:00-03:00",
    }
    stored = TrackedEvent.objects.get(pk=bought.pk)
    assert (stored.key, stored.properties) == (key, properties)
    entry = TimelineEntry.objects.get(person=maria, kind="event.purchase")
    assert entry.data == {
        "event_id": bought.pk,
        "name": "purchase",
        "text": {  # what words the line when read, in the reader's language
            "via": "event",
            "name": "purchase",
            "properties": properties,
            "purchase": {"amount": "9.90", "currency": "USD", "order_id": order},
        },
    }
    assert entry.summary == f"Bought $9.90 (order {order})"
