"""Pipelines, stages and deals through the services: rules, dated history, events, refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from vinculo.activities.models import TimelineEntry
from vinculo.core.errors import Conflict, PermissionDenied, ValidationFailed
from vinculo.core.models import AuditEntry, DomainEvent
from vinculo.sales import selectors, services
from vinculo.sales.models import Deal, LineItem, Pipeline, Stage, StageChange
from vinculo.workspaces import services as workspace_services


def fields(exc: pytest.ExceptionInfo) -> set[str]:
    return {e.field for e in exc.value.errors}


def _age(deal: Deal, days: int) -> None:
    """Pretend the deal entered its stage ``days`` ago (the clock is not mocked)."""
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=timezone.now() - timedelta(days=days))


# --- pipelines --------------------------------------------------------------------------------


def test_default_pipeline_is_created_once_in_the_workspace_language(ana, carla):
    # made with the workspace (in its language), then found again
    first = services.ensure_default_pipeline(actor=ana.actor)
    again = services.ensure_default_pipeline(actor=ana.actor)
    assert first.pk == again.pk
    assert first.name == "Vendas" and first.is_default
    stages = list(first.stages.order_by("position"))
    assert [(s.name, s.probability, s.kind) for s in stages] == [
        ("Qualificação", 10, "open"),
        ("Reunião", 25, "open"),
        ("Proposta", 50, "open"),
        ("Negociação", 75, "open"),
        ("Ganho", 100, "won"),
        ("Perdido", 0, "lost"),
    ]
    assert Pipeline.objects.filter(workspace=ana.workspace).count() == 1
    # a workspace that deleted its pipelines and changed language gets it in the new language
    services.delete_pipeline(
        actor=carla.actor, pipeline_id=services.ensure_default_pipeline(actor=carla.actor).pk
    )
    workspace_services.update_workspace(actor=carla.actor, data={"locale": "en"})
    carla.actor.workspace.refresh_from_db()
    english = services.ensure_default_pipeline(actor=carla.actor)
    assert english.name == "Sales"
    assert english.stages.get(kind="won").name == "Won"


def test_create_pipeline_validates_every_stage_and_the_composition(ana):
    with pytest.raises(ValidationFailed) as exc:
        services.create_pipeline(
            actor=ana.actor,
            data={
                "name": "Renovações",
                "stages": [
                    {"name": "Contato", "probability": 150},
                    {"name": "contato"},
                    {"name": "", "kind": "won"},
                    {"name": "Fechado", "kind": "maybe"},
                ],
            },
        )
    assert fields(exc) == {
        "stages.0.probability",
        "stages.1.name",
        "stages.2.name",
        "stages.3.kind",
    }
    with pytest.raises(ValidationFailed) as exc:
        services.create_pipeline(
            actor=ana.actor,
            data={"name": "Renovações", "stages": [{"name": "A"}, {"name": "B", "kind": "won"}]},
        )
    assert fields(exc) == {"stages"}
    assert "lost" in exc.value.errors[0].message
    assert not Pipeline.objects.filter(workspace=ana.workspace, name="Renovações").exists()


def test_only_settings_managers_change_pipelines(ana, bruno, vendas):
    with pytest.raises(PermissionDenied):
        services.create_pipeline(actor=bruno.actor, data={"name": "Minha"})
    with pytest.raises(PermissionDenied):
        services.update_stage(actor=bruno.actor, stage_id=vendas["Proposta"].pk, data={"name": "X"})
    assert Pipeline.objects.filter(workspace=ana.workspace).count() == 1


def test_default_archive_and_delete_rules(ana, vendas):
    other = services.create_pipeline(actor=ana.actor, data={"name": "Parcerias"})
    assert not other.is_default and other.stages.count() == 6
    with pytest.raises(ValidationFailed) as exc:
        services.archive_pipeline(actor=ana.actor, pipeline_id=vendas.pipeline.pk)
    assert fields(exc) == {"archived"}
    with pytest.raises(ValidationFailed) as exc:
        services.update_pipeline(
            actor=ana.actor, pipeline_id=vendas.pipeline.pk, data={"is_default": False}
        )
    assert fields(exc) == {"is_default"}
    services.update_pipeline(actor=ana.actor, pipeline_id=other.pk, data={"is_default": True})
    vendas.pipeline.refresh_from_db()
    assert not vendas.pipeline.is_default
    archived = services.archive_pipeline(actor=ana.actor, pipeline_id=vendas.pipeline.pk)
    assert archived.archived_at is not None
    assert [p.pk for p in selectors.pipelines(ana.actor)] == [other.pk]
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(actor=ana.actor, data={"title": "X", "pipeline_id": archived.pk})
    assert fields(exc) == {"pipeline_id"}

    deal = services.create_deal(actor=ana.actor, data={"title": "Pão", "pipeline_id": other.pk})
    services.delete_deal(actor=ana.actor, deal_id=deal.pk)
    with pytest.raises(Conflict):  # binned deals count too
        services.delete_pipeline(actor=ana.actor, pipeline_id=other.pk)
    services.delete_pipeline(actor=ana.actor, pipeline_id=vendas.pipeline.pk)
    assert not Pipeline.objects.filter(pk=vendas.pipeline.pk).exists()
    assert not Stage.objects.filter(pipeline_id=vendas.pipeline.pk).exists()


def test_reorder_needs_an_exact_permutation(ana, vendas):
    stages = list(vendas.pipeline.stages.order_by("position"))
    ids = [s.pk for s in stages]
    for bad in (ids[:-1], [*ids, ids[0]], [*ids[:-1], 999999], [ids[0]] * len(ids)):
        with pytest.raises(ValidationFailed) as exc:
            services.reorder_stages(actor=ana.actor, pipeline_id=vendas.pipeline.pk, stage_ids=bad)
        assert fields(exc) == {"stage_ids"}
    assert list(vendas.pipeline.stages.order_by("position").values_list("pk", flat=True)) == ids
    new = [ids[1], ids[0], *ids[2:]]
    services.reorder_stages(actor=ana.actor, pipeline_id=vendas.pipeline.pk, stage_ids=new)
    assert list(vendas.pipeline.stages.order_by("position").values_list("pk", flat=True)) == new
    assert list(vendas.pipeline.stages.values_list("position", flat=True).order_by("position")) == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    # the first open stage follows the order
    deal = services.create_deal(actor=ana.actor, data={"title": "Bolo"})
    assert deal.stage_id == ids[1]


def test_stage_names_probability_and_kind_rules(ana, vendas):
    with pytest.raises(ValidationFailed) as exc:
        services.create_stage(
            actor=ana.actor,
            pipeline_id=vendas.pipeline.pk,
            data={"name": "proposta", "probability": -1, "rotting_days": 0},
        )
    assert fields(exc) == {"name", "probability"}
    demo = services.create_stage(
        actor=ana.actor, pipeline_id=vendas.pipeline.pk, data={"name": "Demo", "probability": 40}
    )
    names = list(vendas.pipeline.stages.order_by("position").values_list("name", flat=True))
    assert names.index("Demo") == 4  # after the last open stage, before Ganho
    with pytest.raises(ValidationFailed) as exc:
        services.update_stage(actor=ana.actor, stage_id=vendas["Ganho"].pk, data={"kind": "open"})
    assert fields(exc) == {"kind"}
    services.create_deal(actor=ana.actor, data={"title": "Pão", "stage_id": demo.pk})
    with pytest.raises(Conflict):
        services.update_stage(actor=ana.actor, stage_id=demo.pk, data={"kind": "won"})
    updated = services.update_stage(
        actor=ana.actor, stage_id=demo.pk, data={"name": "Demonstração", "rotting_days": 7}
    )
    assert (updated.name, updated.rotting_days) == ("Demonstração", 7)


def test_a_stage_with_deals_is_only_deleted_by_moving_them(ana, vendas):
    deal = services.create_deal(
        actor=ana.actor, data={"title": "Pão", "stage_id": vendas["Reunião"].pk}
    )
    with pytest.raises(Conflict) as exc:
        services.delete_stage(actor=ana.actor, stage_id=vendas["Reunião"].pk)
    assert fields(exc) == {"move_deals_to"}
    with pytest.raises(ValidationFailed) as exc:  # another kind
        services.delete_stage(
            actor=ana.actor, stage_id=vendas["Reunião"].pk, move_deals_to=vendas["Ganho"].pk
        )
    assert fields(exc) == {"move_deals_to"}
    assert Stage.objects.filter(pk=vendas["Reunião"].pk).exists()
    services.delete_stage(
        actor=ana.actor, stage_id=vendas["Reunião"].pk, move_deals_to=vendas["Proposta"].pk
    )
    deal.refresh_from_db()
    assert deal.stage_id == vendas["Proposta"].pk
    history = list(StageChange.objects.filter(deal=deal).order_by("id"))
    assert len(history) == 2
    assert history[0].to_stage_id is None  # the deleted stage; the dated row survives
    assert history[1].from_stage_id is None and history[1].to_stage_id == vendas["Proposta"].pk
    positions = list(vendas.pipeline.stages.order_by("position").values_list("position", flat=True))
    assert positions == [0, 1, 2, 3, 4]


def test_the_last_won_or_lost_stage_cannot_be_deleted(ana, vendas):
    for name in ("Ganho", "Perdido"):
        with pytest.raises(ValidationFailed) as exc:
            services.delete_stage(actor=ana.actor, stage_id=vendas[name].pk)
        assert fields(exc) == {"stage_id"}
    assert vendas.pipeline.stages.count() == 6


# --- deals ------------------------------------------------------------------------------------


def test_deal_defaults(bruno, ana):
    deal = services.create_deal(actor=bruno.actor, data={"title": "  Festa   junina "})
    pipeline = Pipeline.objects.get(workspace=ana.workspace)
    assert deal.title == "Festa junina"
    assert deal.pipeline_id == pipeline.pk and pipeline.is_default
    assert deal.stage.name == "Qualificação"
    assert deal.owner_id == bruno.user.pk
    assert (deal.amount, deal.currency, deal.status) == (Decimal("0.00"), "BRL", "open")
    change = StageChange.objects.get(deal=deal)
    assert change.from_stage is None and change.to_stage_id == deal.stage_id
    assert change.seconds_in_previous is None and change.source == "api"
    assert DomainEvent.objects.filter(name="deal.created", subject_id=str(deal.pk)).exists()
    assert AuditEntry.objects.filter(action="deal.created", object_id=str(deal.pk)).exists()


def test_deal_lifecycle_through_stages_to_won_and_back(bruno, vendas, maria, acme):
    deal = services.create_deal(
        actor=bruno.actor,
        data={
            "title": "Padaria Central",
            "amount": "1.234,50",
            "person_id": maria.pk,
            "company_id": acme.pk,
        },
    )
    assert deal.amount == Decimal("1234.50")
    _age(deal, 3)
    services.move_deal(actor=bruno.actor, deal_id=deal.pk, stage_id=vendas["Proposta"].pk)
    _age(deal, 2)
    deal = services.move_deal(actor=bruno.actor, deal_id=deal.pk, stage_id=vendas["Ganho"].pk)
    assert deal.status == "won" and deal.closed_at is not None
    assert deal.stage_entered_at == deal.closed_at

    history = list(StageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
    assert [(c.from_stage_id, c.to_stage_id) for c in history] == [
        (None, vendas["Qualificação"].pk),
        (vendas["Qualificação"].pk, vendas["Proposta"].pk),
        (vendas["Proposta"].pk, vendas["Ganho"].pk),
    ]
    assert abs(history[1].seconds_in_previous - 3 * 86400) < 60
    assert abs(history[2].seconds_in_previous - 2 * 86400) < 60

    names = list(
        DomainEvent.objects.filter(subject_type="deal", subject_id=str(deal.pk))
        .order_by("id")
        .values_list("name", flat=True)
    )
    assert names == ["deal.created", "deal.stage_changed", "deal.stage_changed", "deal.won"]
    moved = DomainEvent.objects.filter(name="deal.stage_changed").last()
    assert moved.payload == {
        "from_stage": vendas["Proposta"].pk,
        "to_stage": vendas["Ganho"].pk,
        "pipeline": vendas.pipeline.pk,
        "amount": "1234.50",
        "currency": "BRL",
        "status": "won",
    }
    for key, value in (("person", maria), ("company", acme), ("deal", deal)):
        kinds = list(TimelineEntry.objects.filter(**{key: value}).values_list("kind", flat=True))
        assert kinds == ["deal.created", "deal.stage_changed", "deal.stage_changed"], key

    # Moving to the same stage does nothing.
    services.move_deal(actor=bruno.actor, deal_id=deal.pk, stage_id=vendas["Ganho"].pk)
    assert StageChange.objects.filter(deal=deal).count() == 3
    # Leaving the won stage reopens it.
    deal = services.move_deal(actor=bruno.actor, deal_id=deal.pk, stage_id=vendas["Negociação"].pk)
    assert (deal.status, deal.closed_at) == ("open", None)


def test_lost_needs_a_reason(bruno, vendas):
    deal = services.create_deal(actor=bruno.actor, data={"title": "Bolo de casamento"})
    with pytest.raises(ValidationFailed) as exc:
        services.move_deal(actor=bruno.actor, deal_id=deal.pk, stage_id=vendas["Perdido"].pk)
    assert fields(exc) == {"lost_reason_id"}
    deal.refresh_from_db()
    assert deal.status == "open"
    assert StageChange.objects.filter(deal=deal).count() == 1
    price = vendas.reason("price")
    deal = services.move_deal(
        actor=bruno.actor,
        deal_id=deal.pk,
        stage_id=vendas["Perdido"].pk,
        lost_reason_id=price.pk,
        lost_note="Preço acima do orçamento",
    )
    assert (deal.status, deal.lost_reason, deal.lost_note) == (
        "lost",
        price,
        "Preço acima do orçamento",
    )
    assert deal.closed_at is not None
    lost = DomainEvent.objects.get(name="deal.lost", subject_id=str(deal.pk))
    assert lost.payload["lost_reason"]["id"] == price.pk
    assert lost.payload["lost_reason"]["code"] == "price"
    assert lost.payload["lost_note"] == "Preço acima do orçamento"
    # Created straight into a lost stage: also needs the reason.
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(
            actor=bruno.actor, data={"title": "X", "stage_id": vendas["Perdido"].pk}
        )
    assert fields(exc) == {"lost_reason_id"}
    # Reopening clears the reason and the note.
    deal = services.move_deal(actor=bruno.actor, deal_id=deal.pk, stage_id=vendas["Proposta"].pk)
    assert (deal.lost_reason, deal.lost_note) == (None, "")


def test_a_stage_of_another_pipeline_is_refused(ana, vendas):
    other = services.create_pipeline(actor=ana.actor, data={"name": "Parcerias"})
    foreign = other.stages.get(position=0)
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(
            actor=ana.actor,
            data={"title": "X", "pipeline_id": vendas.pipeline.pk, "stage_id": foreign.pk},
        )
    assert fields(exc) == {"stage_id"}
    deal = services.create_deal(actor=ana.actor, data={"title": "Pão"})
    with pytest.raises(ValidationFailed) as exc:
        services.move_deal(actor=ana.actor, deal_id=deal.pk, stage_id=foreign.pk)
    assert fields(exc) == {"stage_id"}
    # Without a pipeline, the stage says which one.
    inferred = services.create_deal(actor=ana.actor, data={"title": "Y", "stage_id": foreign.pk})
    assert inferred.pipeline_id == other.pk


def test_bad_input_names_every_field_and_writes_nothing(
    ana, carla, vendas, carlas_person, segment_field
):
    before = (Deal.objects.count(), StageChange.objects.count(), DomainEvent.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(
            actor=ana.actor,
            data={
                "title": "",
                "amount": "-5",
                "currency": "XXY",
                "expected_close_date": "31/12/2026",
                "owner_id": carla.user.pk,
                "person_id": carlas_person.pk,
                "company_id": 987654,
                "custom_fields": {"x": 1, "segment": "luxury"},
                "tags": ["ok", ""],
                "line_items": [{"name": "Pão", "quantity": 0, "discount_percent": 120}],
            },
        )
    assert fields(exc) == {
        "title",
        "amount",
        "currency",
        "expected_close_date",
        "owner_id",
        "person_id",
        "company_id",
        "custom_fields.x",
        "custom_fields.segment",
        "tags.1",
        "line_items.0.quantity",
        "line_items.0.discount_percent",
    }
    for amount in ("abc", "10.001", 10**15):
        with pytest.raises(ValidationFailed) as exc:
            services.create_deal(actor=ana.actor, data={"title": "X", "amount": amount})
        assert fields(exc) == {"amount"}
    after = (Deal.objects.count(), StageChange.objects.count(), DomainEvent.objects.count())
    assert after == before


def test_a_workspace_failing_its_first_deal_keeps_no_pipeline(carla, ana):
    # a workspace whose pipelines were all deleted: its first deal makes the default again
    for pipeline in Pipeline.objects.filter(workspace=carla.workspace):
        services.delete_pipeline(actor=carla.actor, pipeline_id=pipeline.pk)
    with pytest.raises(ValidationFailed):
        services.create_deal(actor=carla.actor, data={"title": "X", "owner_id": ana.user.pk})
    assert not Pipeline.objects.filter(workspace=carla.workspace).exists()


def test_line_items_make_the_amount_and_tags_are_shared(ana, vendas):
    product = services.create_product(
        actor=ana.actor, data={"name": "Bolo", "sku": "B1", "unit_price": "80.00"}
    )
    deal = services.create_deal(
        actor=ana.actor,
        data={
            "title": "Encomenda",
            "tags": ["VIP", "vip", "Festa"],
            "custom_fields": {},
            "line_items": [
                {"product_id": product.pk, "quantity": "3"},
                {"name": "Entrega", "unit_price": "19.99", "discount_percent": "50"},
            ],
        },
    )
    assert deal.amount == Decimal("240.00") + Decimal("10.00")  # 9.995 rounds half up
    items = list(LineItem.objects.filter(deal=deal).order_by("position"))
    assert [(i.name, i.unit_price) for i in items] == [
        ("Bolo", Decimal("80.00")),
        ("Entrega", Decimal("19.99")),
    ]
    assert sorted(deal.tags.values_list("name", flat=True)) == ["Festa", "VIP"]
    other = services.create_deal(actor=ana.actor, data={"title": "B", "tags": ["festa"]})
    assert other.tags.get().pk == deal.tags.get(name="Festa").pk
    # An explicit amount wins over the line items.
    third = services.create_deal(
        actor=ana.actor,
        data={"title": "C", "amount": 100, "line_items": [{"name": "X", "unit_price": 5}]},
    )
    assert third.amount == Decimal("100.00")


def test_update_deal_is_a_patch_and_changing_pipeline_is_a_stage_change(ana, bruno, vendas):
    deal = services.create_deal(
        actor=ana.actor, data={"title": "Pão", "amount": 10, "tags": ["a"], "source": "site"}
    )
    with pytest.raises(ValidationFailed) as exc:
        services.update_deal(
            actor=ana.actor, deal_id=deal.pk, data={"stage_id": vendas["Proposta"].pk}
        )
    assert fields(exc) == {"stage_id"}
    with pytest.raises(ValidationFailed) as exc:
        services.update_deal(actor=ana.actor, deal_id=deal.pk, data={"lost_note": "Caro"})
    assert fields(exc) == {"lost_note"}
    deal = services.update_deal(
        actor=ana.actor,
        deal_id=deal.pk,
        data={
            "amount": "25.5",
            "owner_id": bruno.user.pk,
            "tags": ["b"],
            "expected_close_date": "2026-12-24",
        },
    )
    assert (deal.amount, deal.owner_id, deal.source) == (Decimal("25.50"), bruno.user.pk, "site")
    assert list(deal.tags.values_list("name", flat=True)) == ["b"]
    entry = AuditEntry.objects.filter(action="deal.updated").last()
    assert entry.changes["amount"] == ["10.00", "25.50"]

    other = services.create_pipeline(actor=ana.actor, data={"name": "Parcerias"})
    deal = services.update_deal(actor=ana.actor, deal_id=deal.pk, data={"pipeline_id": other.pk})
    assert deal.pipeline_id == other.pk
    assert deal.stage == other.stages.get(position=0)
    last = StageChange.objects.filter(deal=deal).last()
    assert (last.from_stage_id, last.to_stage_id, last.pipeline_id) == (
        vendas["Qualificação"].pk,
        deal.stage_id,
        other.pk,
    )


def test_binned_deals_leave_lists_and_come_back(ana, bruno, vendas):
    deal = services.create_deal(actor=bruno.actor, data={"title": "Pão"})
    with pytest.raises(PermissionDenied):
        services.delete_deal(actor=bruno.actor, deal_id=deal.pk)
    services.delete_deal(actor=ana.actor, deal_id=deal.pk)
    assert not selectors.deals(ana.actor).filter(pk=deal.pk).exists()
    assert selectors.deals(ana.actor, deleted=True).filter(pk=deal.pk).exists()
    with pytest.raises(Conflict):
        services.move_deal(actor=ana.actor, deal_id=deal.pk, stage_id=vendas["Proposta"].pk)
    services.restore_deal(actor=bruno.actor, deal_id=deal.pk)
    assert selectors.deals(ana.actor).filter(pk=deal.pk).exists()
    kinds = list(TimelineEntry.objects.filter(deal=deal).values_list("kind", flat=True))
    assert kinds == ["deal.created", "deal.deleted", "deal.restored"]


# --- board ------------------------------------------------------------------------------------


def test_board_totals_weighted_amounts_and_rotting(ana, vendas):
    proposta, ganho = vendas["Proposta"], vendas["Ganho"]  # 50 %, rots after 21 days
    a = services.create_deal(
        actor=ana.actor, data={"title": "A", "amount": 100, "stage_id": proposta.pk}
    )
    b = services.create_deal(
        actor=ana.actor, data={"title": "B", "amount": "50.50", "stage_id": proposta.pk}
    )
    services.create_deal(
        actor=ana.actor,
        data={"title": "C", "amount": 30, "currency": "USD", "stage_id": proposta.pk},
    )
    services.create_deal(actor=ana.actor, data={"title": "W", "amount": 999, "stage_id": ganho.pk})
    gone = services.create_deal(
        actor=ana.actor, data={"title": "D", "amount": 7, "stage_id": proposta.pk}
    )
    services.delete_deal(actor=ana.actor, deal_id=gone.pk)
    old = services.create_deal(
        actor=ana.actor, data={"title": "Old", "amount": 5, "stage_id": ganho.pk}
    )
    Deal.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=90))
    _age(a, 30)
    _age(b, 2)

    board = selectors.board(ana.actor, vendas.pipeline.pk, per_stage=2)
    columns = {c.stage.name: c for c in board.columns}
    assert list(columns) == [
        "Qualificação",
        "Reunião",
        "Proposta",
        "Negociação",
        "Ganho",
        "Perdido",
    ]
    col = columns["Proposta"]
    assert col.count == 3
    assert (col.amount, col.weighted_amount) == (Decimal("150.50"), Decimal("75.25"))
    assert [(t.currency, t.count, t.amount) for t in col.totals] == [
        ("BRL", 2, Decimal("150.50")),
        ("USD", 1, Decimal("30.00")),
    ]
    assert [d.title for d in col.deals] == ["A", "B"]  # oldest in the stage first, first N
    assert [d.is_rotting for d in col.deals] == [True, False]
    assert col.deals[0].days_in_stage == 30
    assert (columns["Ganho"].count, columns["Ganho"].weighted_amount) == (1, Decimal("999.00"))
    assert columns["Reunião"].count == 0 and columns["Reunião"].deals == []
