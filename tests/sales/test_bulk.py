"""Bulk deal creation: good rows kept, bad rows reported, imported history becomes dated rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from vinculo.activities.models import TimelineEntry
from vinculo.core.errors import ValidationFailed
from vinculo.core.models import AuditEntry, DomainEvent
from vinculo.sales import services
from vinculo.sales.models import Deal, LineItem, StageChange


def test_mixed_rows_keep_the_good_ones(ana, carla, vendas, maria):
    rows = [
        {"title": "Bom 1", "amount": "100", "person_id": maria.pk, "tags": ["Importado"]},
        {"title": "", "amount": "-1"},
        "not an object",
        {"title": "Bom 2", "line_items": [{"name": "Pão", "quantity": 2, "unit_price": "3.50"}]},
        {"title": "Dono errado", "owner_id": carla.user.pk},
        {"title": "Perdido sem motivo", "stage_id": vendas["Perdido"].pk},
    ]
    result = services.bulk_create_deals(actor=ana.actor, rows=rows)
    assert [d.title for d in result.created] == ["Bom 1", "Bom 2"]
    assert [(e.index, sorted(f.field for f in e.errors)) for e in result.errors] == [
        (1, ["amount", "title"]),
        (2, ["row"]),
        (4, ["owner_id"]),
        (5, ["lost_reason_id"]),
    ]
    assert Deal.objects.filter(workspace=ana.workspace).count() == 2
    good2 = Deal.objects.get(title="Bom 2")
    assert good2.amount == Decimal("7.00")
    assert LineItem.objects.filter(deal=good2).count() == 1
    assert list(Deal.objects.get(title="Bom 1").tags.values_list("name", flat=True)) == [
        "Importado"
    ]
    assert StageChange.objects.filter(deal__workspace=ana.workspace).count() == 2
    assert DomainEvent.objects.filter(workspace=ana.workspace, name="deal.created").count() == 2
    audit = AuditEntry.objects.filter(workspace=ana.workspace, action="deal.bulk_created")
    assert audit.count() == 1
    assert audit.get().changes == {"created": [None, 2], "refused": [None, 4]}


def test_stage_history_becomes_dated_stage_changes(ana, vendas, maria):
    start = timezone.now() - timedelta(days=60)
    at = [start + timedelta(days=d) for d in (0, 5, 12, 20)]
    rows = [
        {
            "title": "Ganho com história",
            "amount": "500.00",
            "person_id": maria.pk,
            "created_at": start.isoformat(),
            "stage_history": [
                {"stage_id": vendas["Qualificação"].pk, "at": at[0].isoformat()},
                {"stage_id": vendas["Reunião"].pk, "at": at[1].isoformat()},
                {"stage_id": vendas["Proposta"].pk, "at": at[2].isoformat()},
                {"stage_id": vendas["Ganho"].pk, "at": at[3]},
            ],
        },
        {
            "title": "Perdido com história",
            "lost_reason_id": vendas.reason("no_budget").pk,
            "lost_note": "Sem orçamento",
            "stage_history": [
                {"stage_id": vendas["Qualificação"].pk, "at": at[0]},
                {"stage_id": vendas["Perdido"].pk, "at": at[2]},
            ],
        },
        {
            "title": "Aberto com história",
            "stage_history": [
                {"stage_id": vendas["Qualificação"].pk, "at": at[1]},
                {"stage_id": vendas["Negociação"].pk, "at": at[3]},
            ],
        },
    ]
    result = services.bulk_create_deals(actor=ana.actor, rows=rows)
    assert result.errors == []
    won, lost, still_open = (Deal.objects.get(pk=d.pk) for d in result.created)

    assert (won.status, won.stage_id) == ("won", vendas["Ganho"].pk)
    assert won.created_at == start and won.closed_at == at[3] and won.stage_entered_at == at[3]
    history = list(StageChange.objects.filter(deal=won).order_by("changed_at", "id"))
    rows = [(c.from_stage_id, c.to_stage_id, c.changed_at, c.seconds_in_previous) for c in history]
    assert rows == [
        (None, vendas["Qualificação"].pk, at[0], None),
        (vendas["Qualificação"].pk, vendas["Reunião"].pk, at[1], 5 * 86400),
        (vendas["Reunião"].pk, vendas["Proposta"].pk, at[2], 7 * 86400),
        (vendas["Proposta"].pk, vendas["Ganho"].pk, at[3], 8 * 86400),
    ]
    assert {c.source for c in history} == {"api"}

    assert (lost.status, lost.lost_reason, lost.lost_note, lost.closed_at) == (
        "lost",
        vendas.reason("no_budget"),
        "Sem orçamento",
        at[2],
    )
    assert lost.created_at == at[0]  # no created_at: the first stage's date
    assert (still_open.status, still_open.closed_at, still_open.stage_entered_at) == (
        "open",
        None,
        at[3],
    )
    # the timeline tells the story at the dates it happened
    entries = list(TimelineEntry.objects.filter(deal=won).order_by("occurred_at", "id"))
    assert [(e.kind, e.occurred_at) for e in entries] == [
        ("deal.created", start),
        ("deal.stage_changed", at[1]),
        ("deal.stage_changed", at[2]),
        ("deal.stage_changed", at[3]),
    ]
    assert TimelineEntry.objects.filter(person=maria).count() == 4
    # historical closes emit no won/lost events (automations must not fire on the past)
    assert not DomainEvent.objects.filter(name__in=["deal.won", "deal.lost"]).exists()


def test_bad_history_is_reported_per_row(ana, vendas):
    now = timezone.now()
    other = services.create_pipeline(actor=ana.actor, data={"name": "Parcerias"})
    rows = [
        {  # out of order
            "title": "A",
            "stage_history": [
                {"stage_id": vendas["Reunião"].pk, "at": now - timedelta(days=1)},
                {"stage_id": vendas["Proposta"].pk, "at": now - timedelta(days=2)},
            ],
        },
        {  # future, missing date, unknown stage
            "title": "B",
            "stage_history": [
                {"stage_id": vendas["Reunião"].pk, "at": now + timedelta(days=2)},
                {"stage_id": vendas["Proposta"].pk},
                {"stage_id": 999999, "at": now},
            ],
        },
        {  # a stage of another pipeline
            "title": "C",
            "pipeline_id": vendas.pipeline.pk,
            "stage_history": [
                {"stage_id": other.stages.get(position=0).pk, "at": now - timedelta(days=3)},
                {"stage_id": vendas["Proposta"].pk, "at": now - timedelta(days=2)},
            ],
        },
        {  # current stage disagrees with the history; entered before it was created
            "title": "D",
            "stage_id": vendas["Reunião"].pk,
            "created_at": now - timedelta(days=1),
            "stage_history": [{"stage_id": vendas["Proposta"].pk, "at": now - timedelta(days=2)}],
        },
        {"title": "E", "stage_history": []},
    ]
    result = services.bulk_create_deals(actor=ana.actor, rows=rows)
    assert result.created == []
    assert [(e.index, sorted(f.field for f in e.errors)) for e in result.errors] == [
        (0, ["stage_history.1.at"]),
        (1, ["stage_history.0.at", "stage_history.1.at", "stage_history.2.stage_id"]),
        (2, ["stage_history.0.stage_id"]),
        (3, ["stage_history.0.at", "stage_id"]),
        (4, ["stage_history"]),
    ]
    assert not Deal.objects.filter(workspace=ana.workspace).exists()


def test_the_body_must_be_a_list_of_at_most_max_rows(ana):
    with pytest.raises(ValidationFailed) as exc:
        services.bulk_create_deals(actor=ana.actor, rows={"title": "x"})  # type: ignore[arg-type]
    assert exc.value.errors[0].field == "rows"
    with pytest.raises(ValidationFailed) as exc:
        services.bulk_create_deals(actor=ana.actor, rows=[{"title": "x"}] * 3, max_rows=2)
    assert exc.value.errors[0].field == "rows"
    assert not Deal.objects.exists()
