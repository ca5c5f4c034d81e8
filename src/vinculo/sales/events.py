"""Domain events of the sales app: their payload schemas and examples."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.core.event_types import (
    Changes,
    DecimalText,
    EventType,
    NoPayload,
    Payload,
    Timestamp,
    register_event_types,
)
from vinculo.sales.models import DealStatus, StageKind


class PipelineCreated(Payload):
    name: str
    stages: list[str] = Field(description="The names of its stages, in order.")
    is_default: bool


class Updated(Payload):
    changes: Changes


class Named(Payload):
    name: str


class StagesReordered(Payload):
    stage_ids: list[int] = Field(description="The pipeline's stage ids in their new order.")


class StageCreated(Payload):
    pipeline: int = Field(description="The pipeline's id.")
    name: str
    kind: StageKind


class StageDeleted(Payload):
    pipeline: int
    name: str
    moved_deals_to: int | None = Field(description="The stage that took its deals, if any.")
    moved_deals: int


class DealCreated(Payload):
    title: str
    pipeline: int
    stage: int
    amount: DecimalText
    currency: str
    status: DealStatus
    owner_id: int | None
    person_id: int | None
    company_id: int | None


class DealStageChanged(Payload):
    from_stage: int
    to_stage: int
    pipeline: int
    amount: DecimalText
    currency: str
    status: DealStatus


class DealWon(Payload):
    pipeline: int
    stage: int
    amount: DecimalText
    currency: str
    closed_at: Timestamp | None


class LostReason(Payload):
    id: int
    code: str
    label: str


class DealLost(DealWon):
    lost_reason: LostReason | None = Field(description="The pipeline's reason chosen, if any.")
    lost_note: str


class DealTitled(Payload):
    title: str


class ProductCreated(Payload):
    name: str
    unit_price: DecimalText
    currency: str


_DEAL_MONEY = {"pipeline": 1, "stage": 4, "amount": "1500.00", "currency": "BRL"}

register_event_types(
    EventType(
        "pipeline.created",
        gettext_noop("A pipeline was created with its stages."),
        PipelineCreated,
        example={
            "name": "Atacado",
            "stages": ["Lead", "Proposta", "Negociação", "Ganho", "Perdido"],
            "is_default": False,
        },
    ),
    EventType(
        "pipeline.updated",
        gettext_noop("A pipeline was renamed, made the default, archived or unarchived."),
        Updated,
        example={"changes": {"name": ["Atacado", "Atacado e varejo"]}},
    ),
    EventType(
        "pipeline.deleted",
        gettext_noop("A pipeline without deals was deleted."),
        Named,
        example={"name": "Atacado"},
    ),
    EventType(
        "pipeline.stages_reordered",
        gettext_noop("The stages of a pipeline were put in a new order."),
        StagesReordered,
        example={"stage_ids": [3, 5, 4, 6, 7]},
    ),
    EventType(
        "stage.created",
        gettext_noop("A stage was added to a pipeline."),
        StageCreated,
        example={"pipeline": 1, "name": "Degustação", "kind": "open"},
    ),
    EventType(
        "stage.updated",
        gettext_noop("A stage's name, probability, rotting days or kind changed."),
        Updated,
        example={"changes": {"probability": [40, 60]}},
    ),
    EventType(
        "stage.deleted",
        gettext_noop("A stage was deleted (its deals, if any, moved to another stage)."),
        StageDeleted,
        example={"pipeline": 1, "name": "Degustação", "moved_deals_to": 4, "moved_deals": 2},
    ),
    EventType(
        "deal.created",
        gettext_noop("A deal was created (payload: pipeline, stage, amount, currency, status)."),
        DealCreated,
        example={
            "title": "Pães para o Hotel Mar Azul",
            "pipeline": 1,
            "stage": 3,
            "amount": "1500.00",
            "currency": "BRL",
            "status": "open",
            "owner_id": 7,
            "person_id": 42,
            "company_id": None,
        },
    ),
    EventType(
        "deal.updated",
        gettext_noop("Fields of a deal changed (payload: changes)."),
        Updated,
        example={"changes": {"amount": ["1500.00", "1800.00"]}},
    ),
    EventType(
        "deal.stage_changed",
        "A deal moved (payload: from_stage, to_stage, pipeline, amount, currency, status).",
        DealStageChanged,
        example={
            "from_stage": 3,
            "to_stage": 4,
            "pipeline": 1,
            "amount": "1500.00",
            "currency": "BRL",
            "status": "open",
        },
    ),
    EventType(
        "deal.won",
        gettext_noop("A deal entered a won stage."),
        DealWon,
        example={**_DEAL_MONEY, "closed_at": "2026-11-23T16:30:00.123456+00:00"},
    ),
    EventType(
        "deal.lost",
        gettext_noop("A deal entered a lost stage (payload includes lost_reason)."),
        DealLost,
        example={
            **_DEAL_MONEY,
            "stage": 5,
            "closed_at": "2026-11-23T16:30:00.123456+00:00",
            "lost_reason": {"id": 12, "code": "price", "label": "Price"},
            "lost_note": "Chose the cheaper plan of a competitor",
        },
    ),
    EventType(
        "deal.deleted",
        gettext_noop("A deal was moved to the bin."),
        DealTitled,
        example={"title": "Pães para o Hotel Mar Azul"},
    ),
    EventType(
        "deal.restored",
        gettext_noop("A deal was restored from the bin."),
        DealTitled,
        example={"title": "Pães para o Hotel Mar Azul"},
    ),
    EventType(
        "product.created",
        gettext_noop("A product was added to the catalogue."),
        ProductCreated,
        example={"name": "Pão de queijo (kg)", "unit_price": "42.90", "currency": "BRL"},
    ),
    EventType(
        "product.updated",
        gettext_noop("A product changed."),
        Updated,
        example={"changes": {"unit_price": ["42.90", "45.00"]}},
    ),
    EventType("product.archived", gettext_noop("A product was archived."), NoPayload, example={}),
)
