"""Deal services: create, change, move through stages, bin and restore, bulk import with history.

Import them from :mod:`vinculo.sales.services`. Every stage a deal enters is a dated
:class:`StageChange` (the first one has no ``from_stage``), so cycle lengths and funnels are
computed from history, also for deals imported with their past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities import timeline
from vinculo.contacts.custom_fields import clean_custom_fields, definitions
from vinculo.contacts.models import Company, CustomFieldDefinition, Person
from vinculo.contacts.selectors import live_ids
from vinculo.contacts.services import ensure_tags
from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult, RowError, move_links
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from vinculo.core.fastinsert import insert_objects
from vinculo.core.text import fold
from vinculo.core.validators import (
    clean_currency,
    clean_date,
    clean_datetime,
    clean_decimal,
    clean_long_text,
    clean_name,
)
from vinculo.sales.lost_reasons import (
    LostChoice,
    ReasonBook,
    apply_lost,
    check_lost,
    clean_lost_input,
    describe,
)
from vinculo.sales.lost_reasons import payload as lost_payload
from vinculo.sales.models import (
    Deal,
    DealStatus,
    LineItem,
    Pipeline,
    Product,
    Stage,
    StageChange,
    StageKind,
)
from vinculo.sales.validation import CENT, ZERO, clean_id, collect, jsonable, raise_if
from vinculo.workspaces.permissions import require
from vinculo.workspaces.selectors import active_member_ids

MAX_AMOUNT = Decimal("999999999999.99")  # 14 digits, 2 decimals
MAX_LINE_ITEMS = 200
# Imported history may be stamped a little ahead of our clock; more than this is refused.
CLOCK_SKEW = timedelta(minutes=5)

_STAGE_FIELDS = (
    "stage", "pipeline", "stage_entered_at", "status", "closed_at", "lost_reason", "lost_note",
)  # fmt: skip
_STATUS_OF_KIND = {
    StageKind.OPEN: DealStatus.OPEN,
    StageKind.WON: DealStatus.WON,
    StageKind.LOST: DealStatus.LOST,
}


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """quantity times unit price less the discount, rounded half-up to cents."""
    gross = quantity * unit_price * (Decimal(100) - discount_percent) / Decimal(100)
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


# --- references -------------------------------------------------------------------------------


class _Refs:
    """What deal input refers to, looked up once and cached (bulk imports preload it all)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.workspace = actor.workspace
        self._pipelines: dict[int, Pipeline] | None = None
        self._stages: dict[int, Stage] = {}
        self._members: set[int] | None = None
        self._people: dict[int, bool] = {}
        self._companies: dict[int, bool] = {}
        self._products: dict[int, Product | None] = {}
        self._defs: dict[str, CustomFieldDefinition] | None = None
        self._default: Pipeline | None = None
        self.reasons = ReasonBook(actor.workspace)
        from vinculo.quality.services.rules import checker  # entry rules, loaded once per call

        self.rules = checker(actor, "deal")

    def _load_structure(self) -> None:
        pipelines = {p.pk: p for p in Pipeline.objects.for_workspace(self.workspace)}
        stages = Stage.objects.for_workspace(self.workspace).order_by("pipeline", "position", "id")
        self._stages = {}
        for stage in stages:
            stage.pipeline = pipelines[stage.pipeline_id]
            self._stages[stage.pk] = stage
        self._pipelines = pipelines

    def pipeline(self, pk: int) -> Pipeline | None:
        if self._pipelines is None:
            self._load_structure()
        assert self._pipelines is not None  # noqa: S101 (loaded above)
        return self._pipelines.get(pk)

    def stage(self, pk: int) -> Stage | None:
        if self._pipelines is None:
            self._load_structure()
        return self._stages.get(pk)

    def first_open_stage(self, pipeline: Pipeline) -> Stage | None:
        if self._pipelines is None:
            self._load_structure()
        return next(
            (
                s
                for s in self._stages.values()
                if s.pipeline_id == pipeline.pk and s.kind == StageKind.OPEN
            ),
            None,
        )

    def default_pipeline(self) -> Pipeline:
        if self._default is None:
            from vinculo.sales.services import ensure_default_pipeline

            default = ensure_default_pipeline(actor=self.actor)
            if self.pipeline(default.pk) is None:  # just created: reload
                self._load_structure()
            self._default = self.pipeline(default.pk)
        assert self._default is not None  # noqa: S101
        return self._default

    def is_member(self, user_id: int) -> bool:
        if self._members is None:
            self._members = active_member_ids(self.workspace)
        return user_id in self._members

    def _live(self, model: Any, cache: dict[int, bool], ids: set[int]) -> None:
        missing = ids - set(cache)
        if missing:
            found = live_ids(self.workspace, model, missing)
            cache.update({pk: pk in found for pk in missing})

    def person_ok(self, pk: int) -> bool:
        self._live(Person, self._people, {pk})
        return self._people[pk]

    def company_ok(self, pk: int) -> bool:
        self._live(Company, self._companies, {pk})
        return self._companies[pk]

    def product(self, pk: int) -> Product | None:
        if pk not in self._products:
            self._products[pk] = Product.objects.for_workspace(self.workspace).filter(pk=pk).first()
        return self._products[pk]

    def defs(self) -> dict[str, CustomFieldDefinition]:
        if self._defs is None:
            self._defs = definitions(self.actor, "deal")
        return self._defs

    def preload(self, rows: list[Any]) -> None:
        """Fetch every person, company and product the rows name, a few queries in all."""
        people: set[int] = set()
        companies: set[int] = set()
        products: set[int] = set()
        for row in rows:
            if not isinstance(row, dict):
                continue
            for key, bucket in (("person_id", people), ("company_id", companies)):
                value = row.get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    bucket.add(value)
            for item in row.get("line_items") or []:
                if isinstance(item, dict) and isinstance(item.get("product_id"), int):
                    products.add(item["product_id"])
        self._live(Person, self._people, people)
        self._live(Company, self._companies, companies)
        if products:
            found = {
                p.pk: p
                for p in Product.objects.for_workspace(self.workspace).filter(pk__in=products)
            }
            self._products.update({pk: found.get(pk) for pk in products})
        self.defs()
        self.is_member(0)
        self.pipeline(0)


# --- cleaning ---------------------------------------------------------------------------------


def _clean_line_items(
    refs: _Refs, value: Any, errors: list[FieldError]
) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        errors.append(FieldError("line_items", _("Send a list of line items."), "invalid_type"))
        return None
    if len(value) > MAX_LINE_ITEMS:
        errors.append(
            FieldError(
                "line_items",
                _("At most %(n)s line items per deal.") % {"n": MAX_LINE_ITEMS},
                "too_many",
            )
        )
        return None
    items: list[dict[str, Any]] = []
    for i, raw in enumerate(value):
        prefix = f"line_items.{i}."
        if not isinstance(raw, dict):
            errors.append(FieldError(f"line_items.{i}", _("Send an object."), "invalid_type"))
            continue
        before = len(errors)
        product = None
        product_id = clean_id(raw.get("product_id"), f"{prefix}product_id", errors)
        if product_id is not None:
            product = refs.product(product_id)
            if product is None:
                errors.append(
                    FieldError(
                        f"{prefix}product_id",
                        _("No product with this id in the workspace."),
                        "not_found",
                    )
                )
        name = collect(
            errors,
            clean_name,
            raw.get("name") or (product.name if product else ""),
            f"{prefix}name",
            # an unknown product is the one error to report, not the missing name too
            required=product_id is None or product is not None,
        )
        quantity = collect(
            errors, clean_decimal, raw.get("quantity"), f"{prefix}quantity", places=3, max_digits=12
        )
        if quantity is not None and quantity <= 0:
            errors.append(
                FieldError(f"{prefix}quantity", _("Must be more than zero."), "too_small")
            )
        unit_price = collect(
            errors, clean_decimal, raw.get("unit_price"), f"{prefix}unit_price", minimum=ZERO
        )
        discount = collect(
            errors,
            clean_decimal,
            raw.get("discount_percent"),
            f"{prefix}discount_percent",
            max_digits=5,
            minimum=ZERO,
        )
        if discount is not None and discount > 100:
            errors.append(
                FieldError(f"{prefix}discount_percent", _("At most 100 (per cent)."), "too_large")
            )
        if len(errors) > before:
            continue
        if unit_price is None:
            unit_price = product.unit_price if product else ZERO
        items.append(
            {
                "product": product,
                "name": name,
                "quantity": quantity if quantity is not None else Decimal(1),
                "unit_price": unit_price,
                "discount_percent": discount if discount is not None else ZERO,
                "position": i,
            }
        )
    return items


def _clean_tags(value: Any, errors: list[FieldError]) -> list[str] | None:
    if not isinstance(value, list):
        errors.append(FieldError("tags", _("Send a list of tag names."), "invalid_type"))
        return None
    names: dict[str, str] = {}
    for i, raw in enumerate(value):
        if not isinstance(raw, str):
            errors.append(FieldError(f"tags.{i}", _("Send the tag's name."), "invalid_type"))
            continue
        name = collect(errors, clean_name, raw, f"tags.{i}", required=True, max_length=50)
        if name is not None:
            names.setdefault(fold(name), name)
    return list(names.values())


def _clean_history(
    refs: _Refs, value: Any, errors: list[FieldError], now: datetime
) -> list[tuple[Stage, datetime]] | None:
    """``[{"stage_id", "at"}, …]`` in chronological order; the last is the current stage."""
    if not isinstance(value, list) or not value:
        errors.append(
            FieldError(
                "stage_history", _("Send a non-empty list of {stage_id, at}."), "invalid_type"
            )
        )
        return None
    history: list[tuple[Stage, datetime]] = []
    before = len(errors)
    previous: datetime | None = None
    for j, raw in enumerate(value):
        prefix = f"stage_history.{j}."
        if not isinstance(raw, dict):
            errors.append(FieldError(f"stage_history.{j}", _("Send an object."), "invalid_type"))
            continue
        stage_id = clean_id(raw.get("stage_id"), f"{prefix}stage_id", errors)
        stage = refs.stage(stage_id) if stage_id is not None else None
        if stage is None:
            errors.append(FieldError(f"{prefix}stage_id", _("No stage with this id."), "not_found"))
        at = collect(errors, clean_datetime, raw.get("at"), f"{prefix}at")
        if at is None:
            if f"{prefix}at" not in {e.field for e in errors}:
                errors.append(FieldError(f"{prefix}at", _("This field is required."), "required"))
        elif at > now + CLOCK_SKEW:
            errors.append(FieldError(f"{prefix}at", _("This is in the future."), "future"))
        elif previous is not None and at < previous:
            errors.append(
                FieldError(f"{prefix}at", _("Stage history must be in time order."), "order")
            )
        else:
            previous = at
        if stage is not None and at is not None:
            history.append((stage, at))
    return history if len(errors) == before else None


def _clean_deal(
    refs: _Refs,
    data: dict[str, Any],
    *,
    deal: Deal | None = None,
    with_history: bool = False,
    now: datetime | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean deal input; a create when ``deal`` is None, else a partial update of ``deal``."""
    actor = refs.actor
    now = now or timezone.now()
    creating = deal is None
    errors: list[FieldError] = []
    out: dict[str, Any] = {}

    if creating or "title" in data:
        out["title"] = collect(
            errors, clean_name, data.get("title"), "title", required=True, max_length=200
        )

    # pipeline and stage
    history = None
    if with_history and data.get("stage_history") is not None:
        history = _clean_history(refs, data["stage_history"], errors, now)
    pipeline = None
    pipeline_id = clean_id(data.get("pipeline_id"), "pipeline_id", errors)
    if pipeline_id is not None and (creating or pipeline_id != deal.pipeline_id):
        pipeline = refs.pipeline(pipeline_id)
        if pipeline is None or pipeline.archived_at is not None:
            errors.append(
                FieldError(
                    "pipeline_id", _("No live pipeline with this id in the workspace."), "invalid"
                )
            )
            pipeline = None
            pipeline_id = -1  # known bad: do not default it
    stage_id = clean_id(data.get("stage_id"), "stage_id", errors)
    stage = None
    if stage_id is not None:
        stage = refs.stage(stage_id)
        if stage is None:
            errors.append(
                FieldError("stage_id", _("No stage with this id in the workspace."), "invalid")
            )
            stage_id = -1
    if history:
        last = history[-1][0]
        if stage is not None and stage.pk != last.pk:
            errors.append(
                FieldError(
                    "stage_id", _("The current stage must be the last of stage_history."), "invalid"
                )
            )
        stage = last
    if creating:
        if pipeline is None and pipeline_id is None:
            if stage is not None:
                pipeline = stage.pipeline
                if pipeline.archived_at is not None:
                    errors.append(
                        FieldError("stage_id", _("This stage's pipeline is archived."), "archived")
                    )
            elif stage_id is None:
                pipeline = refs.default_pipeline()
        if pipeline is not None and stage is None and stage_id is None:
            stage = refs.first_open_stage(pipeline)
    elif pipeline is not None:  # moving the deal to another pipeline
        if stage is None and stage_id is None:
            stage = refs.first_open_stage(pipeline)
    elif stage_id is not None and stage is not None and stage.pk != deal.stage_id:
        errors.append(
            FieldError(
                "stage_id",
                _("Use the move action to change a deal's stage."),
                "use_move",
            )
        )
        stage = None
    else:
        stage = None
    if pipeline is not None and stage is not None and stage.pipeline_id != pipeline.pk:
        errors.append(
            FieldError(
                "stage_id",
                _("This stage is not in the pipeline %(name)s.") % {"name": pipeline.name},
                "wrong_pipeline",
            )
        )
        stage = None
    if history and pipeline is not None:
        for j, (past, _at) in enumerate(history):
            if past.pipeline_id != pipeline.pk:
                errors.append(
                    FieldError(
                        f"stage_history.{j}.stage_id",
                        _("This stage is not in the pipeline %(name)s.") % {"name": pipeline.name},
                        "wrong_pipeline",
                    )
                )
    if stage is not None:
        out["stage"] = stage
        out["pipeline"] = stage.pipeline
    elif creating and not any(e.field in {"pipeline_id", "stage_id"} for e in errors):
        errors.append(FieldError("stage_id", _("The pipeline has no open stage."), "required"))
    out["history"] = history

    # money
    amount = None
    if data.get("amount") is not None:
        amount = collect(errors, clean_decimal, data["amount"], "amount", minimum=ZERO)
        if amount is not None:
            out["amount"] = amount
    items = None
    if data.get("line_items") is not None:
        items = _clean_line_items(refs, data["line_items"], errors)
        if items is not None:
            out["line_items"] = items
    if items and data.get("amount") is None:
        total = sum(
            (line_total(i["quantity"], i["unit_price"], i["discount_percent"]) for i in items),
            ZERO,
        )
        if total > MAX_AMOUNT:
            errors.append(FieldError("amount", _("This number is too large."), "too_large"))
        out["amount"] = total
    elif creating and "amount" not in out:
        out["amount"] = ZERO
    if creating or "currency" in data:
        raw = data.get("currency") or actor.workspace.default_currency
        currency = collect(errors, clean_currency, raw, "currency")
        if currency is not None:
            out["currency"] = currency
    if "expected_close_date" in data:
        out["expected_close_date"] = collect(
            errors, clean_date, data["expected_close_date"], "expected_close_date"
        )

    # people
    if creating and "owner_id" not in data:
        out["owner_id"] = actor.user.pk if actor.user is not None else None
    elif "owner_id" in data:
        owner_id = clean_id(data["owner_id"], "owner_id", errors)
        if owner_id is not None and not refs.is_member(owner_id):
            errors.append(
                FieldError(
                    "owner_id",
                    _("The owner must be an active member of this workspace."),
                    "not_a_member",
                )
            )
        out["owner_id"] = owner_id
    for key, check, label in (
        ("person_id", refs.person_ok, _("No person with this id in the workspace.")),
        ("company_id", refs.company_ok, _("No company with this id in the workspace.")),
    ):
        if key in data:
            pk = clean_id(data[key], key, errors)
            if pk is not None and not check(pk):
                errors.append(FieldError(key, label, "not_found"))
            out[key] = pk

    # text
    clean_lost_input(data, out, errors)
    if "source" in data:
        out["source"] = collect(errors, clean_name, data["source"], "source", max_length=60)
    if "description" in data:
        out["description"] = collect(errors, clean_long_text, data["description"], "description")
    if data.get("tags") is not None:
        out["tags"] = _clean_tags(data["tags"], errors)
    if creating or "custom_fields" in data:
        values, problems = clean_custom_fields(
            actor,
            "deal",
            data.get("custom_fields"),
            current=deal.custom_fields if deal is not None else {},
            model=Deal,
            instance_pk=deal.pk if deal is not None else None,
            defs=refs.defs(),
        )
        errors.extend(problems)
        out["custom_fields"] = values

    # import history
    if with_history and data.get("created_at") is not None:
        created_at = collect(errors, clean_datetime, data["created_at"], "created_at")
        if created_at is not None and created_at > now + CLOCK_SKEW:
            errors.append(FieldError("created_at", _("This is in the future."), "future"))
        elif created_at is not None and history and history[0][1] < created_at:
            errors.append(
                FieldError(
                    "stage_history.0.at",
                    _("The first stage cannot be entered before the deal was created."),
                    "order",
                )
            )
        out["created_at"] = created_at

    # a lost deal says why: a listed reason of its pipeline, a note for "other"
    check_lost(refs.reasons, out, errors, deal=deal)
    refs.rules.check(out, data=data, creating=creating, errors=errors)
    return out, errors


# --- building rows ----------------------------------------------------------------------------


@dataclass
class _NewDeal:
    """A cleaned new deal: the unsaved row, then what is written once it has an id."""

    deal: Deal
    stage: Stage
    history: list[tuple[Stage, datetime]]
    items: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def stage_changes(self, actor: Actor) -> list[tuple[Any, ...]]:
        """One row per step of the history, in :data:`_CHANGE_COLUMNS` order (the first step
        has no ``from_stage``)."""
        rows = []
        previous: tuple[Stage, datetime] | None = None
        user_id = actor.user.pk if actor.user is not None else None
        for to_stage, at in self.history:
            rows.append(
                (
                    actor.workspace.pk,
                    user_id,
                    self.deal.pk,
                    to_stage.pipeline_id,
                    previous[0].pk if previous else None,
                    to_stage.pk,
                    at,
                    int((at - previous[1]).total_seconds()) if previous else None,
                    actor.source,
                )
            )
            previous = (to_stage, at)
        return rows


def _build(actor: Actor, out: dict[str, Any], now: datetime) -> _NewDeal:
    """The unsaved deal for cleaned input, with its history (one step when none was given)."""
    stage: Stage = out["stage"]
    history: list[tuple[Stage, datetime]] = out.get("history") or []
    created_at = out.get("created_at") or (history[0][1] if history else now)
    if not history:
        history = [(stage, created_at)]
    entered_at = history[-1][1]
    status = _STATUS_OF_KIND[stage.kind]
    deal = Deal(
        workspace_id=actor.workspace.pk,
        created_by_id=actor.user.pk if actor.user is not None else None,
        created_at=created_at,
        title=out["title"],
        pipeline_id=stage.pipeline_id,
        stage_id=stage.pk,
        status=status,
        amount=out["amount"],
        currency=out["currency"],
        expected_close_date=out.get("expected_close_date"),
        closed_at=entered_at if status != DealStatus.OPEN else None,
        stage_entered_at=entered_at,
        owner_id=out.get("owner_id"),
        person_id=out.get("person_id"),
        company_id=out.get("company_id"),
        lost_reason=out["lost"].reason if status == DealStatus.LOST else None,
        lost_note=out["lost"].note if status == DealStatus.LOST else "",
        source=out.get("source") or "",
        description=out.get("description") or "",
        custom_fields=out.get("custom_fields") or {},
    )
    return _NewDeal(
        deal=deal,
        stage=stage,
        history=history,
        items=out.get("line_items") or [],
        tags=out.get("tags") or [],
    )


_CHANGE_COLUMNS = (
    "workspace_id", "created_by_id", "deal_id", "pipeline_id", "from_stage_id", "to_stage_id",
    "changed_at", "seconds_in_previous", "source", "created_at", "updated_at",
)  # fmt: skip


def _insert_stage_changes(rows: list[tuple[Any, ...]]) -> None:
    """Append stage-change rows (from :meth:`_NewDeal.stage_changes`) with one prepared INSERT.

    Imports write ~4 per deal; building model instances and the ORM's per-value compilation
    dominated the import time, and nothing needs these rows' ids back. Date-times are adapted
    the way the ORM adapts them.
    """
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(timezone.now())
    values = [(*r[:6], adapt(r[6]), *r[7:], stamp, stamp) for r in rows]
    quote = connection.ops.quote_name
    table = quote(StageChange._meta.db_table)
    columns = ", ".join(quote(c) for c in _CHANGE_COLUMNS)
    marks = ", ".join(["%s"] * len(_CHANGE_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (model names only)
    with connection.cursor() as cursor:
        for start in range(0, len(values), 2000):
            cursor.executemany(sql, values[start : start + 2000])


def _line_item_rows(actor: Actor, deal: Deal, items: list[dict[str, Any]]) -> list[LineItem]:
    return [
        LineItem(
            workspace_id=actor.workspace.pk,
            created_by_id=actor.user.pk if actor.user is not None else None,
            deal_id=deal.pk,
            product=item["product"],
            name=item["name"],
            quantity=item["quantity"],
            unit_price=item["unit_price"],
            discount_percent=item["discount_percent"],
            position=item["position"],
        )
        for item in items
    ]


def _set_tags(actor: Actor, deals_and_names: list[tuple[Deal, list[str]]]) -> None:
    tags = ensure_tags(actor, [n for _d, names in deals_and_names for n in names])
    through = Deal.tags.through
    through.objects.bulk_create(
        [
            through(deal_id=deal.pk, tag_id=tags[fold(name)].pk)
            for deal, names in deals_and_names
            for name in names
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class _Summaries:
    """Timeline summaries, translated once per call (imports write tens of thousands)."""

    def __init__(self) -> None:
        self.created = _("Deal %(title)s created in %(stage)s")
        self.won = _("Deal %(title)s won (%(from)s → %(to)s)")
        self.lost = _("Deal %(title)s lost (%(from)s → %(to)s): %(reason)s")
        self.moved = _("Deal %(title)s moved from %(from)s to %(to)s")

    def stage_changed(self, deal: Deal, from_stage: Stage | None, to_stage: Stage) -> str:
        names = {
            "title": deal.title,
            "from": from_stage.name if from_stage else "—",
            "to": to_stage.name,
            "reason": describe(deal),
        }
        if to_stage.kind == StageKind.WON:
            return self.won % names
        if to_stage.kind == StageKind.LOST:
            return self.lost % names
        return self.moved % names


def _created_payload(deal: Deal) -> dict[str, Any]:
    return {
        "title": deal.title,
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "status": deal.status,
        "owner_id": deal.owner_id,
        "person_id": deal.person_id,
        "company_id": deal.company_id,
    }


# --- single deals -----------------------------------------------------------------------------


def create_deal(*, actor: Actor, data: dict[str, Any]) -> Deal:
    """Create a deal (title, pipeline_id, stage_id, amount, currency, expected_close_date,
    owner_id, person_id, company_id, lost_reason_id, lost_note, source, description, tags,
    custom_fields, line_items).

    The pipeline defaults to the stage's pipeline, else the default pipeline (created if the
    workspace has none); the stage to the pipeline's first open stage; the owner to the actor;
    the currency to the workspace's; the amount to the sum of the line items. Refuses a stage of
    another pipeline, owners who are not active members, people or companies not live in this
    workspace, unknown or invalid custom fields, negative amounts, and a lost stage without a
    listed reason of the pipeline (or a note, for "other" or a pipeline without reasons) —
    every bad field named at once, nothing written.
    """
    require(actor, "deals.write")
    with transaction.atomic():
        refs = _Refs(actor)
        now = timezone.now()
        out, errors = _clean_deal(refs, data, now=now)
        raise_if(errors)
        refs.rules.check_unique(out)
        new = _build(actor, out, now)
        deal = new.deal
        deal.save()
        if new.tags:
            _set_tags(actor, [(deal, new.tags)])
        LineItem.objects.bulk_create(_line_item_rows(actor, deal, new.items))
        _insert_stage_changes(new.stage_changes(actor))
        created = {k: [None, v] for k, v in _created_payload(deal).items() if v not in (None, "")}
        audit.record(actor, "deal.created", deal, changes=created)
        timeline.record(
            actor,
            "deal.created",
            _Summaries().created % {"title": deal.title, "stage": new.stage.name},
            person=deal.person_id,
            company=deal.company_id,
            deal=deal,
            occurred_at=deal.created_at,
        )
        events.emit("deal.created", actor=actor, subject=deal, payload=_created_payload(deal))
        _emit_closed(actor, deal)
    return deal


def _emit_closed(actor: Actor, deal: Deal) -> None:
    payload = {
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "closed_at": deal.closed_at.isoformat() if deal.closed_at else None,
    }
    if deal.status == DealStatus.WON:
        events.emit("deal.won", actor=actor, subject=deal, payload=payload)
    elif deal.status == DealStatus.LOST:
        events.emit(
            "deal.lost",
            actor=actor,
            subject=deal,
            payload={**payload, **lost_payload(deal)},
        )


def _deal_for_update(actor: Actor, deal_id: int, *, live: bool = True) -> Deal:
    deal = (
        Deal.objects.for_workspace(actor.workspace).select_for_update().filter(pk=deal_id).first()
    )
    if deal is None:
        raise NotFound(_("No deal with id %(id)s.") % {"id": deal_id})
    if live and deal.deleted_at is not None:
        raise Conflict(_("This deal is in the bin; restore it first."))
    return deal


def _enter_stage(
    actor: Actor, deal: Deal, stage: Stage, *, lost: LostChoice | None, at: datetime
) -> dict[str, list[Any]]:
    """Move a locked deal into ``stage`` (any pipeline): dated change, status, closed_at,
    audit, timeline and events. Returns the audit changes."""
    previous = deal.stage
    old_status, old_pipeline = deal.status, deal.pipeline_id
    StageChange.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        deal=deal,
        pipeline=stage.pipeline,
        from_stage=previous,
        to_stage=stage,
        changed_at=at,
        seconds_in_previous=max(0, int((at - deal.stage_entered_at).total_seconds())),
        source=actor.source,
    )
    status = _STATUS_OF_KIND[stage.kind]
    deal.stage = stage
    deal.pipeline = stage.pipeline
    deal.stage_entered_at = at
    deal.status = status
    if status == DealStatus.OPEN:
        deal.closed_at = None
    elif old_status != status or deal.closed_at is None:
        deal.closed_at = at
    apply_lost(deal, lost if status == DealStatus.LOST else None)
    deal.save(update_fields=[*_STAGE_FIELDS, "updated_at"])
    changes: dict[str, list[Any]] = {"stage": [previous.name, stage.name]}
    if old_pipeline != stage.pipeline_id:
        changes["pipeline"] = [old_pipeline, stage.pipeline_id]
    if old_status != status:
        changes["status"] = [old_status, status]
    audit.record(actor, "deal.stage_changed", deal, changes=changes)
    timeline.record(
        actor,
        "deal.stage_changed",
        _Summaries().stage_changed(deal, previous, stage),
        person=deal.person_id,
        company=deal.company_id,
        deal=deal,
        data={"from_stage": previous.pk, "to_stage": stage.pk, "status": status},
        occurred_at=at,
    )
    events.emit(
        "deal.stage_changed",
        actor=actor,
        subject=deal,
        payload={
            "from_stage": previous.pk,
            "to_stage": stage.pk,
            "pipeline": stage.pipeline_id,
            "amount": str(deal.amount),
            "currency": deal.currency,
            "status": status,
        },
    )
    if old_status != status:
        _emit_closed(actor, deal)
    return changes


def move_deal(
    *,
    actor: Actor,
    deal_id: int,
    stage_id: int,
    lost_reason_id: int | str | None = None,
    lost_note: str = "",
) -> Deal:
    """Move a deal to another stage of its pipeline (the Kanban drag).

    Entering a won or lost stage closes the deal (status, ``closed_at``); leaving one reopens it.
    Moving to the stage it is in does nothing. Refuses a stage outside the deal's pipeline (422
    ``stage_id``), a lost stage without a listed ``lost_reason_id`` or a needed ``lost_note``
    (422), and binned deals (409).
    """
    require(actor, "deals.write")
    with transaction.atomic():
        deal = _deal_for_update(actor, deal_id)
        stage = (
            Stage.objects.for_workspace(actor.workspace)
            .select_related("pipeline")
            .filter(pk=stage_id)
            .first()
        )
        if stage is None or stage.pipeline_id != deal.pipeline_id:
            raise ValidationFailed.field(
                "stage_id",
                _("Choose a stage of the deal's pipeline (change the pipeline to leave it)."),
                "wrong_pipeline",
            )
        if stage.pk == deal.stage_id:
            return deal
        out: dict[str, Any] = {"stage": stage}
        errors: list[FieldError] = []
        if stage.kind == StageKind.LOST:
            clean_lost_input(
                {"lost_reason_id": lost_reason_id, "lost_note": lost_note}, out, errors
            )
            check_lost(ReasonBook(actor.workspace), out, errors, deal=deal)
        raise_if(errors)
        _enter_stage(actor, deal, stage, lost=out.get("lost"), at=timezone.now())
    return deal


_PLAIN_FIELDS = (
    "title", "amount", "currency", "expected_close_date", "owner_id", "person_id", "company_id",
    "lost_reason_id", "lost_note", "source", "description", "custom_fields",
)  # fmt: skip


def update_deal(*, actor: Actor, deal_id: int, data: dict[str, Any]) -> Deal:
    """Change some fields of a deal (a patch: absent keys stay as they are).

    ``tags`` and ``line_items`` replace the lists; line items without ``amount`` recompute the
    amount. The stage is changed with :func:`move_deal`; ``pipeline_id`` moves the deal to another
    pipeline (``stage_id`` there, else its first open stage), recorded as a stage change.
    Refuses what :func:`create_deal` refuses, plus a ``stage_id`` change without a pipeline
    change, a lost reason on a deal that is not lost, and binned deals (409).
    """
    require(actor, "deals.write")
    with transaction.atomic():
        deal = _deal_for_update(actor, deal_id)
        refs = _Refs(actor)
        out, errors = _clean_deal(refs, data, deal=deal)
        raise_if(errors)
        refs.rules.check_unique(out, data=data, exclude_pk=deal.pk)
        before = {k: getattr(deal, k) for k in _PLAIN_FIELDS if k in out}
        after = {k: out[k] for k in before}
        changes = {k: [jsonable(a), jsonable(b)] for k, (a, b) in audit.diff(before, after).items()}
        for key in changes:
            setattr(deal, key, out[key])
        if "tags" in out:
            old = sorted(t.name for t in deal.tags.all())
            if sorted(map(fold, old)) != sorted(map(fold, out["tags"])):
                deal.tags.clear()
                _set_tags(actor, [(deal, out["tags"])])
                changes["tags"] = [old, sorted(out["tags"])]
        if "line_items" in out:
            old_items = LineItem.objects.filter(deal=deal).count()
            LineItem.objects.filter(deal=deal).delete()
            rows = _line_item_rows(actor, deal, out["line_items"])
            LineItem.objects.bulk_create(rows)
            changes["line_items"] = [old_items, len(rows)]
        if changes:
            deal.save()
            audit.record(actor, "deal.updated", deal, changes=changes)
            events.emit("deal.updated", actor=actor, subject=deal, payload={"changes": changes})
        if "stage" in out and out["stage"].pk != deal.stage_id:
            _enter_stage(actor, deal, out["stage"], lost=out.get("lost"), at=timezone.now())
    return deal


def delete_deal(*, actor: Actor, deal_id: int) -> Deal:
    """Move a deal to the bin (``deleted_at``); it leaves lists, boards and reports until
    restored. Deleting a binned deal does nothing."""
    require(actor, "records.delete")
    with transaction.atomic():
        deal = _deal_for_update(actor, deal_id, live=False)
        if deal.deleted_at is not None:
            return deal
        deal.deleted_at = timezone.now()
        deal.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor, "deal.deleted", deal, changes={"deleted_at": [None, jsonable(deal.deleted_at)]}
        )
        timeline.record(
            actor,
            "deal.deleted",
            _("Deal %(title)s moved to the bin") % {"title": deal.title},
            person=deal.person_id,
            company=deal.company_id,
            deal=deal,
        )
        events.emit("deal.deleted", actor=actor, subject=deal, payload={"title": deal.title})
    return deal


def restore_deal(*, actor: Actor, deal_id: int) -> Deal:
    """Take a deal out of the bin. Restoring a live deal does nothing."""
    require(actor, "deals.write")
    with transaction.atomic():
        deal = _deal_for_update(actor, deal_id, live=False)
        if deal.deleted_at is None:
            return deal
        old = deal.deleted_at
        deal.deleted_at = None
        deal.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, "deal.restored", deal, changes={"deleted_at": [jsonable(old), None]})
        timeline.record(
            actor,
            "deal.restored",
            _("Deal %(title)s restored from the bin") % {"title": deal.title},
            person=deal.person_id,
            company=deal.company_id,
            deal=deal,
        )
        events.emit("deal.restored", actor=actor, subject=deal, payload={"title": deal.title})
    return deal


# --- bulk -------------------------------------------------------------------------------------


def bulk_create_deals(
    *, actor: Actor, rows: list[dict[str, Any]], max_rows: int | None = MAX_BULK_ROWS
) -> BulkResult[Deal]:
    """Create many deals (imports, seeding): good rows are kept, bad rows reported by index.

    Rows take :func:`create_deal`'s fields plus, for history, ``created_at`` and
    ``stage_history`` (``[{"stage_id", "at"}, …]`` in time order, the last being the current
    stage: status, ``closed_at`` and ``stage_entered_at`` follow from it, one dated
    :class:`StageChange` per element). Writes in bulk: one ``deal.created`` event and timeline
    entries per deal (also one per past stage change), one audit entry for the call. Historical
    wins and losses do not emit ``deal.won``/``deal.lost``. Refuses (422 ``rows``) a body that is
    not a list or has more than ``max_rows`` rows (``None``: no limit, for seeding).
    """
    require(actor, "deals.write")
    if not isinstance(rows, list):
        raise ValidationFailed.field("rows", _("Send a list of deals."), "invalid_type")
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed.field(
            "rows", _("At most %(n)s rows per request.") % {"n": max_rows}, "too_many"
        )
    result: BulkResult[Deal] = BulkResult()
    with transaction.atomic():
        refs = _Refs(actor)
        refs.preload(rows)
        now = timezone.now()
        cleaned: list[tuple[int, dict[str, Any]]] = []
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                result.errors.append(
                    RowError(index, [FieldError("row", _("Send an object."), "invalid_type")])
                )
                continue
            out, errors = _clean_deal(refs, row, with_history=True, now=now)
            if errors:
                result.errors.append(RowError(index, errors))
                continue
            cleaned.append((index, out))
        plans = [
            _build(actor, out, now)
            for _i, out in refs.rules.keep_unique(cleaned, result.errors, lambda out: out)
        ]
        if not plans:
            return result
        deals = insert_objects([p.deal for p in plans])
        tagged = [(p.deal, p.tags) for p in plans if p.tags]
        if tagged:
            _set_tags(actor, tagged)
        insert_objects([i for p in plans for i in _line_item_rows(actor, p.deal, p.items)])
        _insert_stage_changes([c for p in plans for c in p.stage_changes(actor)])
        summaries = _Summaries()
        entries = []
        for p in plans:
            deal = p.deal
            entries.append(
                timeline.PendingEntry(
                    kind="deal.created",
                    summary=summaries.created
                    % {"title": deal.title, "stage": p.history[0][0].name},
                    person=deal.person_id,
                    company=deal.company_id,
                    deal=deal.pk,
                    occurred_at=deal.created_at,
                )
            )
            entries.extend(
                timeline.PendingEntry(
                    kind="deal.stage_changed",
                    summary=summaries.stage_changed(deal, before, after),
                    person=deal.person_id,
                    company=deal.company_id,
                    deal=deal.pk,
                    data={"from_stage": before.pk, "to_stage": after.pk},
                    occurred_at=at,
                )
                for (before, _at), (after, at) in zip(p.history, p.history[1:], strict=False)
            )
        timeline.record_many(actor, entries)
        events.emit_many(
            "deal.created",
            actor=actor,
            subjects=[("deal", d.pk, _created_payload(d)) for d in deals],
        )
        audit.record(
            actor,
            "deal.bulk_created",
            object_type="sales.deal",
            changes={"created": [None, len(deals)], "refused": [None, len(result.errors)]},
        )
        result.created = deals
    return result


# --- merge support (quality) ----------------------------------------------------------------


def reassign_deals(
    *, actor: Actor, kind: str, from_id: int, to_id: int, ids: list[int] | None = None
) -> list[int]:
    """Move the deals of person/company ``from_id`` to ``to_id`` (a merge, or its undo with
    ``ids``: exactly the deals that moved) and return the ids moved. The caller holds the
    transaction and has checked permissions; only this workspace's deals are touched."""
    return move_links(Deal, actor.workspace.pk, kind, from_id, to_id, ids)
