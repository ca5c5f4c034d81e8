"""The hourly purchase roll-up: kept right by every write that adds, moves or removes purchases
(ingest, a visitor linked, a merge and its undo, an erasure), and the purchase KPIs read from it
giving, on random purchases across a daylight-saving change, exactly what their definitions
say (computed here by brute force from the purchases themselves)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from vinculo.cli import main
from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contacts
from vinculo.core.kpis import Grain, Scope, columnar, measure
from vinculo.events.models import Purchase, PurchaseHour
from vinculo.events.services import ingest_events, link_visitor
from vinculo.events.services.rollup import differences, rebuild
from vinculo.events.tasks import compact_rollup_task
from vinculo.privacy import erasure
from vinculo.quality.services.merge import merge_people, undo_merge

NEW_YORK = ZoneInfo("America/New_York")  # summer time from 8 March 2026
START, END = date(2026, 2, 2), date(2026, 4, 26)  # twelve ISO weeks, Monday to Sunday


def _row(person_id, when: datetime, amount: str, currency: str = "BRL") -> dict:
    return {
        "name": "purchase",
        "person": {"id": person_id},
        "amount": amount,
        "currency": currency,
        "occurred_at": when.isoformat(),
    }


def _ingest(actor, rows: list[dict]) -> None:
    for start in range(0, len(rows), 100):
        result = ingest_events(actor=actor, rows=rows[start : start + 100])
        assert {r.status for r in result.rows} == {"created"}, result.rows


def _hour(ws, when: str, currency: str = "BRL") -> tuple[int, Decimal]:
    """The orders and amount the roll-up holds for an hour (over its rows: one per batch)."""
    rows = PurchaseHour.objects.filter(
        workspace=ws, hour=datetime.fromisoformat(when), currency=currency
    )
    return sum(r.orders for r in rows), sum((r.amount for r in rows), Decimal(0))


def test_every_writer_keeps_the_rollup(ana, carla):
    a = ana.actor
    ws = a.workspace  # the object the KPIs read the time zone from
    lia, rui = (contacts.create_person(actor=a, data={"first_name": n}) for n in ("Lia", "Rui"))
    ten = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    _ingest(a, [_row(lia.pk, ten, "100.00"), _row(rui.pk, ten + timedelta(minutes=30), "20.50")])
    _ingest(a, [_row(lia.pk, ten, "7.00", "USD")])
    # An anonymous visitor's purchase is not rolled up until the visitor is linked to Rui.
    anonymous = {**_row(None, ten, "5.00"), "visitor_id": "v-1"}
    del anonymous["person"]
    _ingest(a, [anonymous])
    assert _hour(ws, "2026-03-02T10:00:00+00:00") == (2, Decimal("120.50"))  # 100.00 + 20.50
    assert _hour(ws, "2026-03-02T10:00:00+00:00", "USD") == (1, Decimal("7.00"))
    link_visitor(actor=a, visitor_id="v-1", person_id=rui.pk)
    assert _hour(ws, "2026-03-02T10:00:00+00:00") == (3, Decimal("125.50"))
    assert differences(ws.pk) == []

    # A merge moves Rui's purchases to Lia: the buyers of the hour become one.
    record = merge_people(actor=a, survivor_id=lia.pk, loser_id=rui.pk)
    assert Purchase.objects.filter(person=rui).count() == 0
    assert differences(ws.pk) == []
    hour = {"start": date(2026, 3, 2), "end": date(2026, 3, 2), "grain": Grain.DAY}
    ws.timezone = "UTC"
    ws.save(update_fields=["timezone"])
    assert measure("buyers", Scope(actor=a), **hour).value == 1
    undo_merge(actor=a, merge_id=record.pk)
    assert Purchase.objects.filter(person=rui).count() == 2  # 20.50 and the linked 5.00
    assert differences(ws.pk) == []
    assert measure("buyers", Scope(actor=a), **hour).value == 2

    # Erasing Rui takes his purchases out of the roll-up.
    erasure.erase_person(actor=a, person_id=rui.pk, confirm=str(rui.pk))
    assert _hour(ws, "2026-03-02T10:00:00+00:00") == (1, Decimal("100.00"))
    assert differences(ws.pk) == []
    # Another workspace's purchases never enter Ana's roll-up.
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    _ingest(carla.actor, [_row(outsider.pk, ten, "900.00")])
    assert _hour(ws, "2026-03-02T10:00:00+00:00")[0] == 1
    assert differences(carla.workspace.pk) == []
    # A rebuild gives the same rows.
    assert rebuild(ws.pk) == 2  # the BRL and the USD hour
    assert differences(ws.pk) == []


def test_batches_append_and_the_daily_task_joins_them(ana):
    a = ana.actor
    lia = contacts.create_person(actor=a, data={"first_name": "Lia"})
    ten = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    for minutes in (0, 10, 20):  # three batches in one hour: three rows, nothing rewritten
        _ingest(a, [_row(lia.pk, ten + timedelta(minutes=minutes), "10.00")])
    rows = PurchaseHour.objects.filter(workspace=ana.workspace)
    assert rows.count() == 3
    assert _hour(ana.workspace, "2026-03-02T10:00:00+00:00") == (3, Decimal("30.00"))
    assert compact_rollup_task.call() >= 1
    assert rows.count() == 1
    assert (rows.get().orders, rows.get().amount) == (3, Decimal("30.00"))
    assert differences(ana.workspace.pk) == []


@pytest.fixture
def shop(ana, bruno, carla):
    """Random purchases of 14 people (Ana's and Bruno's) over January to May 2026 in New York
    time, a fifth in dollars; one buyer binned; an anonymous purchase; Carla's workspace."""
    ws = ana.actor.workspace  # the object the KPIs read the time zone from
    ws.timezone = "America/New_York"
    ws.save(update_fields=["timezone"])
    rng = random.Random(18)  # noqa: S311 (a fixture, not a secret)
    people = {}
    for i in range(14):
        owner = bruno.user.pk if i % 3 == 0 else ana.user.pk
        person = contacts.create_person(
            actor=ana.actor, data={"first_name": f"P{i}", "owner_id": owner}
        )
        people[person.pk] = owner
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    bought = []
    for _ in range(260):
        person = rng.choice(list(people))
        when = origin + timedelta(minutes=rng.randrange(150 * 24 * 60))
        currency = "USD" if rng.random() < 0.2 else "BRL"
        amount = Decimal(rng.randrange(100, 50000)) / 100
        bought.append((person, when, amount, currency))
    _ingest(ana.actor, [_row(p, w, str(a), c) for p, w, a, c in bought])
    binned = next(iter(people))
    contacts.delete_person(actor=ana.actor, person_id=binned)
    anonymous = {**_row(None, origin + timedelta(days=40), "3.00"), "visitor_id": "v-9"}
    del anonymous["person"]
    _ingest(ana.actor, [anonymous])
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    _ingest(carla.actor, [_row(outsider.pk, origin + timedelta(days=50), "777.00")])
    live = [(p, w.astimezone(NEW_YORK).date(), a, c) for p, w, a, c in bought if p != binned]
    return {"purchases": live, "owners": people}


def _spans() -> tuple[tuple[date, date], tuple[date, date], list[tuple[date, date]]]:
    length = (END - START).days + 1
    previous = (START - timedelta(days=length), START - timedelta(days=1))
    earlier = (previous[0] - timedelta(days=length), previous[0] - timedelta(days=1))
    weeks = [(START + timedelta(days=7 * i), START + timedelta(days=7 * i + 6)) for i in range(12)]
    return earlier, previous, weeks


def _in(rows, span, currency=None):
    return [r for r in rows if span[0] <= r[1] <= span[1] and currency in (None, r[3])]


def _expected(key: str, rows: list, span, before=None):
    """The KPI's definition over the purchases of ``span`` (docs/kpis.md)."""
    here, brl = _in(rows, span), _in(rows, span, "BRL")
    people = Counter(r[0] for r in here)
    if key == "orders":
        return len(here)
    if key == "purchase_revenue":
        return sum((r[2] for r in brl), Decimal(0))
    if key == "average_order_value":
        return (sum(r[2] for r in brl) / len(brl)).quantize(Decimal("0.01")) if brl else None
    if key == "buyers":
        return len(people)
    if key == "revenue_per_buyer":
        payers = {r[0] for r in brl}
        return (sum(r[2] for r in brl) / len(payers)).quantize(Decimal("0.01")) if brl else None
    if key == "repeat_purchase_rate":
        return sum(1 for n in people.values() if n > 1) / len(people) if people else None
    base = {r[0] for r in _in(rows, before)}
    if not base:
        return None
    kept = len(base & set(people)) / len(base)
    return kept if key == "retention_rate" else 1 - kept


ADDING = ["orders", "purchase_revenue", "average_order_value", "buyers", "revenue_per_buyer",
          "repeat_purchase_rate"]  # fmt: skip


@pytest.fixture(params=["counted in an array", "sorted", "many binned"])
def counting(request, monkeypatch):
    """People are counted per bucket in a people x buckets array when it is small, else by
    sorting (person, bucket) pairs; binned people's purchases are taken away from the hours'
    totals when they are few, else left out purchase by purchase: every way must follow the
    definitions."""
    if request.param == "sorted":
        monkeypatch.setattr(columnar, "GRID_CELLS", 0)
    if request.param == "many binned":
        monkeypatch.setattr(contact_selectors, "BINNED_LISTED", 0)
    return request.param


@pytest.mark.parametrize("key", [*ADDING, "retention_rate", "churn_rate"])
def test_purchase_kpis_match_their_definitions(ana, bruno, shop, counting, key):
    earlier, previous, weeks = _spans()
    rows = shop["purchases"]
    brunos = [r for r in rows if shop["owners"][r[0]] == bruno.user.pk]
    cuts = [
        (Scope(actor=ana.actor), rows),
        (Scope(actor=ana.actor, owner_id=bruno.user.pk), brunos),
    ]
    for scope, mine in cuts:
        got = measure(key, scope, start=START, end=END, grain=Grain.WEEK)
        if key in ADDING:
            want = (_expected(key, mine, (START, END)), _expected(key, mine, previous))
            series = [_expected(key, mine, w) for w in weeks]
        else:
            want = (
                _expected(key, mine, (START, END), previous),
                _expected(key, mine, previous, earlier),
            )
            befores = [(START - timedelta(days=7), START - timedelta(days=1)), *weeks[:-1]]
            series = [_expected(key, mine, w, b) for w, b in zip(weeks, befores, strict=True)]
        assert (got.value, got.previous) == pytest.approx(want), key
        assert [p.value for p in got.series] == pytest.approx(series), key


@pytest.mark.parametrize("key", ["buyers", "purchase_revenue", "retention_rate"])
def test_groups_by_owner_match_their_definitions(ana, bruno, shop, counting, key):
    _earlier, previous, _weeks = _spans()
    rows = shop["purchases"]
    got = measure(key, Scope(actor=ana.actor), start=START, end=END, grain=Grain.WEEK,
                  group_by="owner")  # fmt: skip
    groups = {k: v for k, _label, v in got.groups}
    for owner in (ana.user.pk, bruno.user.pk):
        mine = [r for r in rows if shop["owners"][r[0]] == owner]
        before = previous if key == "retention_rate" else None
        assert groups[owner] == pytest.approx(_expected(key, mine, (START, END), before)), owner


def test_a_half_hour_zone_reads_the_purchases_themselves(ana, shop):
    """India is UTC+5:30: its midnights fall between the roll-up's hours, so the KPIs read
    the purchases; the answers still follow the definitions."""
    ana.actor.workspace.timezone = "Asia/Kolkata"
    ana.actor.workspace.save(update_fields=["timezone"])
    kolkata = ZoneInfo("Asia/Kolkata")
    # Each purchase's local day in Kolkata, from the stored purchases.
    live = Purchase.objects.for_workspace(ana.workspace).filter(
        person__isnull=False, person__deleted_at__isnull=True
    )
    rows = [
        (p, w.astimezone(kolkata).date(), a, c)
        for p, w, a, c in live.values_list("person_id", "occurred_at", "amount", "currency")
    ]
    for key in ("buyers", "purchase_revenue", "repeat_purchase_rate"):
        got = measure(key, Scope(actor=ana.actor), start=START, end=END, grain=Grain.WEEK)
        assert got.value == pytest.approx(_expected(key, rows, (START, END))), key


def test_the_rollup_command_checks_and_rebuilds(ana, capsys):
    a = ana.actor
    lia = contacts.create_person(actor=a, data={"first_name": "Lia"})
    _ingest(a, [_row(lia.pk, datetime(2026, 3, 2, 10, tzinfo=UTC), "10.00")])
    slug = ana.workspace.slug
    call_command("rollup", "--check", "--workspace", slug)
    assert "matches" in capsys.readouterr().out
    PurchaseHour.objects.filter(workspace=ana.workspace).delete()  # as after a bulk load
    with pytest.raises(SystemExit) as stopped:
        call_command("rollup", "--check", "--workspace", slug)
    assert stopped.value.code == 1
    assert "2026-03-02 10:00 UTC BRL differs" in capsys.readouterr().out
    call_command("rollup", "--workspace", slug)
    assert f"{slug}: 1 hours rolled up" in capsys.readouterr().out
    assert differences(ana.workspace.pk) == []
    with pytest.raises(CommandError, match="No workspace 'nobody-here'"):
        call_command("rollup", "--workspace", "nobody-here")
    # The ``vinculo`` command offers both (it runs Django's command of that name).
    main(["--help"])
    shown = capsys.readouterr().out
    assert "vinculo rollup [--workspace SLUG] [--check]" in shown and "vinculo kpi [KEY]" in shown
