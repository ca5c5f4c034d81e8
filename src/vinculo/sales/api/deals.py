"""API of deals: list (search, filters, sort, the bin), add (also in bulk, with history),
read with its stage history, change, move, bin and restore."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any, Literal, cast

from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema, Status
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.errors import ValidationFailed
from vinculo.core.pagination import Page, paginate
from vinculo.core.schemas import ERRORS, BulkOut, Id, PageOut
from vinculo.sales import selectors, services
from vinculo.sales.api.lost_reasons import LostReasonRef, reason_ref
from vinculo.sales.api.products import Number
from vinculo.sales.contract import DEAL
from vinculo.sales.models import Deal, DealStatus
from vinculo.sales.services import line_total

router = Router()  # tagged "sales" where the package mounts it


# --- schemas --------------------------------------------------------------------------------------


class LineItemIn(Schema):
    product_id: Id | None = None
    name: str = Field("", description="Defaults to the product's name.")
    quantity: Number | None = Field(None, examples=["2"], description="Default 1.")
    unit_price: Number | None = Field(None, examples=["150.00"], description="Default: product's.")
    discount_percent: Number | None = Field(None, examples=["10"])


class LineItemOut(Schema):
    id: int
    product_id: int | None
    name: str
    quantity: str
    unit_price: str
    discount_percent: str
    total: str


# The input schemas are the deals' write contract (vinculo.sales.contract), typed by kind.
_TYPES = {"amount": Number, "expected_close_date": date | str, "line_items": list[LineItemIn]}


class DealIn(
    DEAL.input_schema("DealFields", base=Schema, create=True, types=_TYPES)  # type: ignore[misc]
):
    pass


class DealPatch(
    DEAL.input_schema(  # type: ignore[misc]
        "DealPatchFields",
        base=Schema,
        types=_TYPES,
        descriptions={"stage_id": "Only with a new pipeline_id; else use /move."},
    )
):
    pass


class MoveIn(Schema):
    stage_id: Id
    lost_reason_id: Id | None = Field(
        None,
        description="For a lost stage: a reason of the pipeline; required while it lists any.",
    )
    lost_note: str = Field("", description="Required for 'other' (or a pipeline without reasons).")


class DealOut(Schema):
    id: int
    title: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    status: DealStatus
    amount: str = Field(examples=["1500.00"])
    currency: str
    expected_close_date: date | None
    closed_at: datetime | None
    stage_entered_at: datetime
    owner_id: int | None
    person_id: int | None
    company_id: int | None
    lost_reason: LostReasonRef | None = Field(description="Why it was lost (null unless lost).")
    lost_note: str
    source: str
    description: str
    tags: list[str]
    custom_fields: dict[str, Any]
    line_items: list[LineItemOut]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class StageChangeOut(Schema):
    id: int
    pipeline_id: int
    from_stage_id: int | None
    from_stage_name: str | None
    to_stage_id: int | None
    to_stage_name: str | None
    changed_at: datetime
    seconds_in_previous: int | None
    source: str


class DealDetailOut(DealOut):
    stage_history: list[StageChangeOut]


Sort = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "amount",
    "-amount",
    "expected_close_date",
    "-expected_close_date",
    "closed_at",
    "-closed_at",
    "stage_entered_at",
    "-stage_entered_at",
    "title",
    "-title",
]


class DealQuery(Schema):
    cursor: str | None = Field(None, description="Opaque cursor from `next_cursor`.")
    limit: int = Field(50, ge=1, le=200)
    sort: Sort = "-created_at"
    q: str | None = Field(None, description="Searches title, person and company names.")
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    status: DealStatus | None = None
    owner_id: Id | None = None
    person_id: Id | None = None
    company_id: Id | None = None
    deleted: bool = Field(False, description="List the bin instead.")
    filter: str | None = Field(
        None,
        description="A JSON condition tree of the filter language, e.g. "
        '`{"all": [{"field": "amount", "op": "gte", "value": 1000}]}`.',
    )


# --- serialisers ----------------------------------------------------------------------------------


def _deal(d: Deal) -> dict[str, Any]:
    return {
        "id": d.pk,
        "title": d.title,
        "pipeline_id": d.pipeline_id,
        "stage_id": d.stage_id,
        "stage_name": d.stage.name,
        "status": d.status,
        "amount": str(d.amount),
        "currency": d.currency,
        "expected_close_date": d.expected_close_date,
        "closed_at": d.closed_at,
        "stage_entered_at": d.stage_entered_at,
        "owner_id": d.owner_id,
        "person_id": d.person_id,
        "company_id": d.company_id,
        "lost_reason": reason_ref(d.lost_reason),
        "lost_note": d.lost_note,
        "source": d.source,
        "description": d.description,
        "tags": sorted(t.name for t in d.tags.all()),
        "custom_fields": d.custom_fields,
        "line_items": [
            {
                "id": i.pk,
                "product_id": i.product_id,
                "name": i.name,
                "quantity": str(i.quantity.normalize()),
                "unit_price": str(i.unit_price),
                "discount_percent": str(i.discount_percent),
                "total": str(line_total(i.quantity, i.unit_price, i.discount_percent)),
            }
            for i in d.line_items.all()
        ],
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "deleted_at": d.deleted_at,
    }


def _deal_detail(d: Deal) -> dict[str, Any]:
    return {
        **_deal(d),
        "stage_history": [
            {
                "id": c.pk,
                "pipeline_id": c.pipeline_id,
                "from_stage_id": c.from_stage_id,
                "from_stage_name": c.from_stage.name if c.from_stage else None,
                "to_stage_id": c.to_stage_id,
                "to_stage_name": c.to_stage.name if c.to_stage else None,
                "changed_at": c.changed_at,
                "seconds_in_previous": c.seconds_in_previous,
                "source": c.source,
            }
            for c in d.stage_changes.all()
        ],
    }


# --- pagination of nullable sort keys -------------------------------------------------------------

_NULLABLE_SORTS = {"expected_close_date", "closed_at"}


def _encode(value: Any, pk: int) -> str:
    raw = json.dumps([value, pk], default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _paginate_nulls_last(
    qs: QuerySet[Deal], *, cursor: str | None, limit: int, order: str
) -> Page[Deal]:
    """Keyset pagination on a nullable field: values in order, then the rows without one."""
    descending = order.startswith("-")
    name = order.lstrip("-")
    field = cast("models.Field[Any, Any]", Deal._meta.get_field(name))  # a plain column
    key = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
    qs = qs.order_by(key, "-pk" if descending else "pk")
    op = "lt" if descending else "gt"
    if cursor:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            raw_value, raw_pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
            value = None if raw_value is None else field.to_python(raw_value)
            pk = int(raw_pk)
        except (ValueError, TypeError, binascii.Error, Exception) as exc:
            raise ValidationFailed.field("cursor", _("The cursor is not valid.")) from exc
        if value is None:
            qs = qs.filter(**{f"{name}__isnull": True, f"pk__{op}": pk})
        else:
            qs = qs.filter(
                Q(**{f"{name}__{op}": value})
                | Q(**{name: value, f"pk__{op}": pk})
                | Q(**{f"{name}__isnull": True})
            )
    items = list(qs[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        value = getattr(last, field.attname)
        next_cursor = _encode(value.isoformat() if value is not None else None, last.pk)
    return Page(items=items, next_cursor=next_cursor)


# --- endpoints ------------------------------------------------------------------------------------


@router.get("/deals", response={200: PageOut[DealOut], **ERRORS})
def list_deals(request: HttpRequest, query: Query[DealQuery]) -> dict[str, Any]:
    qs = selectors.deals(
        actor_of(request),
        q=query.q,
        pipeline_id=query.pipeline_id,
        stage_id=query.stage_id,
        status=query.status,
        owner_id=query.owner_id,
        person_id=query.person_id,
        company_id=query.company_id,
        deleted=query.deleted,
        filter=query.filter,
    )
    if query.sort.lstrip("-") in _NULLABLE_SORTS:
        page = _paginate_nulls_last(qs, cursor=query.cursor, limit=query.limit, order=query.sort)
    else:
        page = paginate(qs, cursor=query.cursor, limit=query.limit, order=query.sort)
    return {"items": [_deal(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post("/deals", response={201: DealOut, **ERRORS})
def create_deal(request: HttpRequest, payload: DealIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    deal = services.create_deal(actor=actor, data=payload.model_dump(exclude_unset=True))
    return Status(201, _deal(selectors.get_deal(actor, deal.pk)))


@router.post(
    "/deals/bulk",
    response={200: BulkOut[DealOut], **ERRORS},
    summary="Create up to 1000 deals; bad rows are reported by index",
)
def bulk_create_deals(request: HttpRequest, rows: Body[list[Any]]) -> dict[str, Any]:
    """Each row takes the fields of `POST /deals` plus, for imports with history, `created_at`
    and `stage_history` (`[{"stage_id", "at"}, …]`, the last being the current stage)."""
    actor = actor_of(request)
    result = services.bulk_create_deals(actor=actor, rows=rows)
    created = selectors.deals(actor).filter(pk__in=[d.pk for d in result.created]).order_by("pk")
    return {"created": [_deal(d) for d in created], "errors": [e.as_dict() for e in result.errors]}


@router.get("/deals/{deal_id}", response={200: DealDetailOut, **ERRORS})
def get_deal(request: HttpRequest, deal_id: Id) -> dict[str, Any]:
    return _deal_detail(selectors.get_deal(actor_of(request), deal_id))


@router.patch("/deals/{deal_id}", response={200: DealDetailOut, **ERRORS})
def patch_deal(request: HttpRequest, deal_id: Id, payload: DealPatch) -> dict[str, Any]:
    actor = actor_of(request)
    services.update_deal(actor=actor, deal_id=deal_id, data=payload.model_dump(exclude_unset=True))
    return _deal_detail(selectors.get_deal(actor, deal_id))


@router.delete("/deals/{deal_id}", response={204: None, **ERRORS})
def delete_deal(request: HttpRequest, deal_id: Id) -> Status[None]:
    services.delete_deal(actor=actor_of(request), deal_id=deal_id)
    return Status(204, None)


@router.post("/deals/{deal_id}/restore", response={200: DealDetailOut, **ERRORS})
def restore_deal(request: HttpRequest, deal_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    services.restore_deal(actor=actor, deal_id=deal_id)
    return _deal_detail(selectors.get_deal(actor, deal_id))


@router.post("/deals/{deal_id}/move", response={200: DealDetailOut, **ERRORS})
def move_deal(request: HttpRequest, deal_id: Id, payload: MoveIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.move_deal(
        actor=actor,
        deal_id=deal_id,
        stage_id=payload.stage_id,
        lost_reason_id=payload.lost_reason_id,
        lost_note=payload.lost_note,
    )
    return _deal_detail(selectors.get_deal(actor, deal_id))
