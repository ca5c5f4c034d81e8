"""Lost reasons: the per-pipeline list a lost deal picks from, and the rule a lost deal follows.

Every pipeline starts with the defaults of :class:`LostReasonCode` (labels in the reader's
language until the workspace renames them); the workspace adds, renames, reorders and archives
reasons in the pipeline's settings. A deal entering a lost stage picks an active reason of its
pipeline (required while the pipeline has any) with an optional note (``lost_note``, the old
free text), required for "other" and when the pipeline has no reasons at all. Import the
services from :mod:`vinculo.sales.services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from vinculo.core import audit, timeline_wording
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from vinculo.core.permissions import require
from vinculo.core.tenancy import Workspace
from vinculo.core.validators import clean_name
from vinculo.sales.models import (
    Deal,
    DealStatus,
    LostReason,
    LostReasonCode,
    Pipeline,
    Stage,
    StageKind,
)
from vinculo.sales.validation import clean_id, collect, raise_if

MAX_NOTE = 200

# --- the rule a lost deal follows -------------------------------------------------------------


@dataclass
class LostChoice:
    """Why a deal is lost: a reason of its pipeline (None when the pipeline lists none) and
    the note."""

    reason: LostReason | None
    note: str


class ReasonBook:
    """The workspace's lost reasons, loaded once per call (imports check thousands of rows)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._by_id: dict[int, LostReason] | None = None

    def _all(self) -> dict[int, LostReason]:
        if self._by_id is None:
            self._by_id = {r.pk: r for r in LostReason.objects.for_workspace(self.workspace)}
        return self._by_id

    def get(self, pipeline_id: int, pk: int) -> LostReason | None:
        reason = self._all().get(pk)
        return reason if reason is not None and reason.pipeline_id == pipeline_id else None

    def has_active(self, pipeline_id: int) -> bool:
        return any(r.is_active and r.pipeline_id == pipeline_id for r in self._all().values())


def clean_lost_input(data: dict[str, Any], out: dict[str, Any], errors: list[FieldError]) -> None:
    """Copy ``lost_reason_id`` and ``lost_note`` from deal input into ``out``, cleaned."""
    if "lost_reason_id" in data:
        out["lost_reason_id"] = clean_id(data["lost_reason_id"], "lost_reason_id", errors)
    if "lost_note" in data:
        raw = data["lost_note"] if data["lost_note"] is not None else ""
        note = collect(errors, clean_name, raw, "lost_note", max_length=MAX_NOTE)
        out["lost_note"] = note or ""


def check_lost(
    book: ReasonBook, out: dict[str, Any], errors: list[FieldError], *, deal: Deal | None
) -> None:
    """Check the lost reason and note of cleaned deal input against the stage it ends in
    (``out["stage"]``, else the deal's): a lost deal names an active reason of its pipeline
    when the pipeline has any, a note for "other" (or when it has none); a deal that is not
    lost has neither. Puts the :class:`LostChoice` in ``out["lost"]`` for a lost deal."""
    target: Stage | None = out.get("stage")
    if deal is not None and target is None and not {"lost_reason_id", "lost_note"} & out.keys():
        return  # a patch that leaves the stage and the lost reason alone
    stage = target if target is not None else (deal.stage if deal is not None else None)
    if stage is None:
        return
    given_reason = out.get("lost_reason_id")
    given_note = out.get("lost_note") or ""
    if stage.kind != StageKind.LOST:
        message = _("Only a lost deal has a lost reason.")
        if given_reason is not None:
            errors.append(FieldError("lost_reason_id", message, "not_lost"))
        if given_note:
            errors.append(FieldError("lost_note", message, "not_lost"))
        return
    was_lost = (
        deal is not None
        and deal.status == DealStatus.LOST
        and deal.pipeline_id == stage.pipeline_id
    )
    reason_id = (
        given_reason
        if "lost_reason_id" in out
        else (deal.lost_reason_id if deal is not None and was_lost else None)
    )
    note = (
        given_note
        if "lost_note" in out
        else (deal.lost_note if deal is not None and was_lost else "")
    )
    reason = None
    if reason_id is not None:
        reason = book.get(stage.pipeline_id, reason_id)
        if reason is None:
            errors.append(
                FieldError(
                    "lost_reason_id",
                    _("No lost reason with this id in the deal's pipeline."),
                    "not_found",
                )
            )
            return
        kept = deal is not None and was_lost and deal.lost_reason_id == reason.pk
        if not reason.is_active and not kept:
            errors.append(
                FieldError(
                    "lost_reason_id", _("This lost reason is archived; pick another."), "archived"
                )
            )
            return
        if reason.needs_note and not note:
            errors.append(
                FieldError(
                    "lost_note", _("Say why the deal was lost (required for “Other”)."), "required"
                )
            )
            return
    elif book.has_active(stage.pipeline_id):
        errors.append(FieldError("lost_reason_id", _("Choose why the deal was lost."), "required"))
        return
    elif not note:
        errors.append(FieldError("lost_note", _("Say why the deal was lost."), "required"))
        return
    out["lost"] = LostChoice(reason=reason, note=note)


def apply_lost(deal: Deal, lost: LostChoice | None) -> None:
    """Set (or, with None, clear) a deal's lost reason and note; the caller saves."""
    deal.lost_reason = lost.reason if lost is not None else None
    deal.lost_note = lost.note if lost is not None else ""


def describe(deal: Deal) -> str:
    """ "Price: too expensive for them", "Price" or the note alone, in the active language."""
    label = deal.lost_reason.display if deal.lost_reason_id and deal.lost_reason else ""
    if label and deal.lost_note:
        return f"{label}: {deal.lost_note}"
    return label or deal.lost_note


def kept(deal: Deal) -> Any:
    """:func:`describe` as a timeline parameter: a default label stays a message id, worded
    when read (``core.timeline_wording``)."""
    reason = deal.lost_reason if deal.lost_reason_id else None
    label: Any = ""
    if reason is not None:
        label = reason.label or (
            timeline_wording.label(LostReasonCode(reason.code).label) if reason.code else ""
        )
    if label and deal.lost_note:
        return [label, ": ", deal.lost_note]
    return label or deal.lost_note


def payload(deal: Deal) -> dict[str, Any]:
    """The lost reason in event payloads: ``lost_reason`` (id, code, label) and ``lost_note``."""
    reason = deal.lost_reason if deal.lost_reason_id else None
    return {
        "lost_reason": (
            {"id": reason.pk, "code": reason.code, "label": reason.display} if reason else None
        ),
        "lost_note": deal.lost_note,
    }


# --- managing the list ------------------------------------------------------------------------


def seed_defaults(actor: Actor, pipeline: Pipeline) -> list[LostReason]:
    """Give a new pipeline the default reasons (price … other), labels left to the language."""
    return LostReason.objects.bulk_create(
        [
            LostReason(
                workspace=actor.workspace,
                created_by=actor.user,
                pipeline=pipeline,
                code=code,
                position=position,
            )
            for position, code in enumerate(LostReasonCode.values)
        ]
    )


def pipeline_for_update(actor: Actor, pipeline_id: int) -> Pipeline:
    """The workspace's pipeline ``pipeline_id``, row-locked for the write that follows; 404."""
    pipeline = (
        Pipeline.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=pipeline_id)
        .first()
    )
    if pipeline is None:
        raise NotFound(_("No pipeline with id %(id)s.") % {"id": pipeline_id})
    return pipeline


def _reason(actor: Actor, reason_id: int, pipeline_id: int | None = None) -> LostReason:
    qs = LostReason.objects.for_workspace(actor.workspace).select_for_update()
    if pipeline_id is not None:
        qs = qs.filter(pipeline_id=pipeline_id)
    reason = qs.filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(_("No lost reason with id %(id)s.") % {"id": reason_id})
    return reason


def _clean_label(
    pipeline: Pipeline, raw: Any, errors: list[FieldError], *, exclude_pk: int | None = None
) -> str | None:
    label = collect(errors, clean_name, raw, "label", max_length=100)
    if label is None:
        return None
    if not label:
        errors.append(FieldError("label", _("Enter a label."), "required"))
        return None
    folded = label.casefold()
    siblings = LostReason.objects.filter(pipeline=pipeline).exclude(pk=exclude_pk)
    if any(r.display.casefold() == folded for r in siblings):
        errors.append(
            FieldError("label", _("This pipeline already has a reason with this label."), "taken")
        )
        return None
    return label


def create_lost_reason(*, actor: Actor, pipeline_id: int, data: dict[str, Any]) -> LostReason:
    """Add a reason (``label``) at the end of a pipeline's list. Refuses an empty label or one
    the pipeline already has (422 ``label``)."""
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        errors: list[FieldError] = []
        label = _clean_label(pipeline, data.get("label"), errors)
        raise_if(errors)
        top = LostReason.objects.filter(pipeline=pipeline).aggregate(m=Max("position"))["m"]
        reason = LostReason.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            pipeline=pipeline,
            label=label or "",
            position=0 if top is None else top + 1,
        )
        audit.record(actor, "lost_reason.created", reason, changes={"label": [None, label]})
    return reason


def update_lost_reason(
    *, actor: Actor, reason_id: int, data: dict[str, Any], pipeline_id: int | None = None
) -> LostReason:
    """Rename (``label``; empty gives a default back its label in each reader's language) or
    archive/unarchive (``is_active``) a reason. Deals keep an archived reason; new losses can't
    pick it."""
    require(actor, "settings.manage")
    with transaction.atomic():
        reason = _reason(actor, reason_id, pipeline_id)
        errors: list[FieldError] = []
        changes: dict[str, list[Any]] = {}
        if "label" in data:
            raw = data["label"] if data["label"] is not None else ""
            unchanged = not reason.label and str(raw).strip() == reason.display
            if reason.code and (not str(raw).strip() or unchanged):
                label: str | None = ""  # the default's label, in each reader's language
            else:
                label = _clean_label(reason.pipeline, raw, errors, exclude_pk=reason.pk)
            if label is not None and label != reason.label:
                changes["label"] = [reason.label, label]
        if "is_active" in data:
            value = data["is_active"]
            if not isinstance(value, bool):
                errors.append(FieldError("is_active", _("Send true or false."), "invalid_type"))
            elif value != reason.is_active:
                changes["is_active"] = [reason.is_active, value]
        raise_if(errors)
        if changes:
            for key, (_old, new) in changes.items():
                setattr(reason, key, new)
            reason.save(update_fields=["label", "is_active", "updated_at"])
            audit.record(actor, "lost_reason.updated", reason, changes=changes)
    return reason


def reorder_lost_reasons(
    *, actor: Actor, pipeline_id: int, reason_ids: list[int]
) -> list[LostReason]:
    """Put a pipeline's reasons in the order of ``reason_ids``, which must list each of them
    exactly once (else 422 ``reason_ids``)."""
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        reasons = list(LostReason.objects.filter(pipeline=pipeline).order_by("position", "id"))
        by_id = {r.pk: r for r in reasons}
        ids = list(reason_ids) if isinstance(reason_ids, list | tuple) else None
        if ids is None or len(ids) != len(by_id) or set(ids) != set(by_id):
            raise ValidationFailed.field(
                "reason_ids",
                _("List every lost reason of this pipeline exactly once (ids: %(ids)s).")
                % {"ids": ", ".join(str(pk) for pk in by_id)},
                "not_a_permutation",
            )
        ordered = [by_id[pk] for pk in ids]
        before = [r.pk for r in reasons]
        if before != ids:
            for position, reason in enumerate(ordered):
                reason.position = position
            LostReason.objects.bulk_update(ordered, ["position"])
            audit.record(
                actor, "pipeline.lost_reasons_reordered", pipeline, changes={"order": [before, ids]}
            )
    return ordered


def delete_lost_reason(*, actor: Actor, reason_id: int, pipeline_id: int | None = None) -> None:
    """Delete a reason no deal has (even a binned one); refuses (409) otherwise: archive it."""
    require(actor, "settings.manage")
    with transaction.atomic():
        reason = _reason(actor, reason_id, pipeline_id)
        count = Deal.objects.filter(lost_reason=reason).count()
        if count:
            raise Conflict(
                _("%(n)s deal(s) were lost for this reason; archive it instead.") % {"n": count}
            )
        audit.record(
            actor, "lost_reason.deleted", reason, changes={"label": [reason.display, None]}
        )
        reason.delete()
