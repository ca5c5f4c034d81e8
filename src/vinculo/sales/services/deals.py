"""Deal services: create, change, move through stages (won, lost), bin and restore, bulk import
with history, and the merge support quality uses.

Import them from :mod:`vinculo.sales.services`. Every stage a deal enters is a dated
:class:`StageChange` (the first one has no ``from_stage``), so cycle lengths and funnels are
computed from history, also for deals imported with their past. Input is cleaned by
:mod:`.deal_input`; the rows of a new deal are built by :mod:`.deal_rows`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.core import audit, events, timeline
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult, RowError, move_links
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from vinculo.core.fastinsert import insert_objects
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.sales.models import Deal, DealStatus, LineItem, Stage, StageChange, StageKind
from vinculo.sales.services.deal_input import clean_deal
from vinculo.sales.services.deal_refs import DealRefs
from vinculo.sales.services.deal_rows import (
    STATUS_OF_KIND,
    NewDeal,
    Summaries,
    build_deal,
    created_payload,
    insert_stage_changes,
    set_tags,
)
from vinculo.sales.services.lost_reasons import (
    LostChoice,
    ReasonBook,
    apply_lost,
    check_lost,
    clean_lost_input,
)
from vinculo.sales.services.lost_reasons import payload as lost_payload
from vinculo.sales.services.products import line_item_rows
from vinculo.sales.validation import jsonable, raise_if

_STAGE_FIELDS = (
    "stage", "pipeline", "stage_entered_at", "status", "closed_at", "lost_reason", "lost_note",
)  # fmt: skip


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
        refs = DealRefs(actor)
        now = timezone.now()
        out, errors = clean_deal(refs, data, now=now)
        raise_if(errors)
        refs.rules.check_unique(out)
        new = build_deal(actor, out, now)
        deal = new.deal
        deal.save()
        if new.tags:
            set_tags(actor, [(deal, new.tags)])
        LineItem.objects.bulk_create(line_item_rows(actor, deal, new.items))
        insert_stage_changes(new.stage_changes(actor))
        created = {k: [None, v] for k, v in created_payload(deal).items() if v not in (None, "")}
        audit.record(actor, "deal.created", deal, changes=created)
        timeline.record(
            actor,
            "deal.created",
            Summaries.created,
            params={"title": deal.title, "stage": new.stage.name},
            person=deal.person_id,
            company=deal.company_id,
            deal=deal,
            occurred_at=deal.created_at,
        )
        events.emit("deal.created", actor=actor, subject=deal, payload=created_payload(deal))
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
    status = STATUS_OF_KIND[stage.kind]
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
        **Summaries().stage_changed(deal, previous, stage),
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
        refs = DealRefs(actor)
        out, errors = clean_deal(refs, data, deal=deal)
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
                set_tags(actor, [(deal, out["tags"])])
                changes["tags"] = [old, sorted(out["tags"])]
        if "line_items" in out:
            old_items = LineItem.objects.filter(deal=deal).count()
            LineItem.objects.filter(deal=deal).delete()
            rows = line_item_rows(actor, deal, out["line_items"])
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
            gettext_noop("Deal %(title)s moved to the bin"),
            params={"title": deal.title},
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
            gettext_noop("Deal %(title)s restored from the bin"),
            params={"title": deal.title},
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
    _check_rows(rows, max_rows)
    result: BulkResult[Deal] = BulkResult()
    with transaction.atomic():
        refs = DealRefs(actor)
        refs.preload(rows)
        now = timezone.now()
        cleaned = _clean_rows(refs, rows, result, now)
        plans = [
            build_deal(actor, out, now)
            for _i, out in refs.rules.keep_unique(cleaned, result.errors, lambda out: out)
        ]
        if not plans:
            return result
        deals = _insert_plans(actor, plans)
        timeline.record_many(actor, _timeline_entries(plans))
        events.emit_many(
            "deal.created",
            actor=actor,
            subjects=[("deal", d.pk, created_payload(d)) for d in deals],
        )
        audit.record(
            actor,
            "deal.bulk_created",
            object_type="sales.deal",
            changes={"created": [None, len(deals)], "refused": [None, len(result.errors)]},
        )
        result.created = deals
    return result


def _check_rows(rows: Any, max_rows: int | None) -> None:
    """A list of at most ``max_rows`` rows (None: no limit), else 422 ``rows``."""
    if not isinstance(rows, list):
        raise ValidationFailed.field("rows", _("Send a list of deals."), "invalid_type")
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed.field(
            "rows", _("At most %(n)s rows per request.") % {"n": max_rows}, "too_many"
        )


def _clean_rows(
    refs: DealRefs, rows: list[Any], result: BulkResult[Deal], now: datetime
) -> list[tuple[int, dict[str, Any]]]:
    """(index, cleaned input) of the good rows; each bad row goes to ``result`` by index."""
    cleaned: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            result.errors.append(
                RowError(index, [FieldError("row", _("Send an object."), "invalid_type")])
            )
            continue
        out, errors = clean_deal(refs, row, with_history=True, now=now)
        if errors:
            result.errors.append(RowError(index, errors))
            continue
        cleaned.append((index, out))
    return cleaned


def _insert_plans(actor: Actor, plans: list[NewDeal]) -> list[Deal]:
    """The new deals, then their tags, line items and dated stage changes, in bulk."""
    deals = insert_objects([p.deal for p in plans])
    tagged = [(p.deal, p.tags) for p in plans if p.tags]
    if tagged:
        set_tags(actor, tagged)
    insert_objects([i for p in plans for i in line_item_rows(actor, p.deal, p.items)])
    insert_stage_changes([c for p in plans for c in p.stage_changes(actor)])
    return deals


def _timeline_entries(plans: list[NewDeal]) -> list[timeline.PendingEntry]:
    """Per new deal: its creation in its first stage, then each past stage change."""
    summaries = Summaries()
    entries = []
    for p in plans:
        deal = p.deal
        entries.append(
            timeline.PendingEntry(
                kind="deal.created",
                summary=summaries.created,
                params={"title": deal.title, "stage": p.history[0][0].name},
                person=deal.person_id,
                company=deal.company_id,
                deal=deal.pk,
                occurred_at=deal.created_at,
            )
        )
        entries.extend(
            timeline.PendingEntry(
                kind="deal.stage_changed",
                **summaries.stage_changed(deal, before, after),
                person=deal.person_id,
                company=deal.company_id,
                deal=deal.pk,
                data={"from_stage": before.pk, "to_stage": after.pk},
                occurred_at=at,
            )
            for (before, _at), (after, at) in zip(p.history, p.history[1:], strict=False)
        )
    return entries


# --- merge support (quality) ----------------------------------------------------------------


def reassign_deals(
    *, actor: Actor, kind: str, from_id: int, to_id: int, ids: list[int] | None = None
) -> list[int]:
    """Move the deals of person/company ``from_id`` to ``to_id`` (a merge, or its undo with
    ``ids``: exactly the deals that moved) and return the ids moved. The caller holds the
    transaction and has checked permissions; only this workspace's deals are touched."""
    return move_links(Deal, actor.workspace.pk, kind, from_id, to_id, ids)
