"""Stages of a pipeline: add, change, delete (moving their deals), reorder.

A pipeline keeps at least one open, one won and one lost stage (:func:`composition_error`);
:func:`clean_stage_fields` also cleans the stages sent with a new pipeline
(:mod:`vinculo.sales.services.pipelines`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.core import audit, events, timeline
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.core.validators import clean_name
from vinculo.sales.models import Deal, Pipeline, Stage, StageChange, StageKind
from vinculo.sales.services.lost_reasons import pipeline_for_update
from vinculo.sales.validation import clean_int, collect, raise_if

# --- cleaning ---------------------------------------------------------------------------------


def clean_stage_fields(
    data: dict[str, Any], prefix: str, errors: list[FieldError], *, creating: bool
) -> dict[str, Any]:
    """Clean a stage's own fields; ``prefix`` is ``""`` or ``"stages.3."`` for messages."""
    cleaned: dict[str, Any] = {}
    if "name" in data or creating:
        name = collect(
            errors, clean_name, data.get("name"), f"{prefix}name", required=True, max_length=100
        )
        if name is not None:
            cleaned["name"] = name
    if "kind" in data or creating:
        kind = data.get("kind") or StageKind.OPEN
        if kind not in StageKind.values:
            errors.append(
                FieldError(
                    f"{prefix}kind",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(StageKind.values)},
                    "invalid_choice",
                )
            )
        else:
            cleaned["kind"] = kind
    if data.get("probability") is not None:
        probability = clean_int(
            data["probability"], f"{prefix}probability", errors, minimum=0, maximum=100
        )
        if probability is not None:
            cleaned["probability"] = probability
    elif creating:
        kind = cleaned.get("kind")
        cleaned["probability"] = 100 if kind == StageKind.WON else 0
    if "rotting_days" in data:
        if data["rotting_days"] in (None, "", 0):
            cleaned["rotting_days"] = None
        else:
            days = clean_int(
                data["rotting_days"], f"{prefix}rotting_days", errors, minimum=1, maximum=3650
            )
            if days is not None:
                cleaned["rotting_days"] = days
    return cleaned


def composition_error(kinds: list[str], field: str) -> FieldError | None:
    """A pipeline keeps at least one open, one won and one lost stage."""
    missing = [k for k in StageKind.values if k not in kinds]
    if not missing:
        return None
    return FieldError(
        field,
        _("A pipeline needs at least one open, one won and one lost stage (missing: %(kinds)s).")
        % {"kinds": ", ".join(missing)},
        "pipeline_composition",
    )


# --- stages -----------------------------------------------------------------------------------


def _stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))


def _renumber(stages: list[Stage]) -> None:
    changed = []
    for i, stage in enumerate(stages):
        if stage.position != i:
            stage.position = i
            changed.append(stage)
    if changed:
        Stage.objects.bulk_update(changed, ["position"])


def _name_taken(stages: list[Stage], name: str, exclude_pk: int | None = None) -> bool:
    return any(fold(s.name) == fold(name) and s.pk != exclude_pk for s in stages)


def _stage_for_update(actor: Actor, stage_id: int) -> Stage:
    stage = (
        Stage.objects.for_workspace(actor.workspace)
        .select_for_update()
        .select_related("pipeline")
        .filter(pk=stage_id)
        .first()
    )
    if stage is None:
        raise NotFound(_("No stage with id %(id)s.") % {"id": stage_id})
    return stage


def create_stage(*, actor: Actor, pipeline_id: int, data: dict[str, Any]) -> Stage:
    """Add a stage (name, kind, probability, rotting_days, position) to a pipeline.

    Without ``position`` an open stage goes after the last open stage and a won/lost stage at
    the end. Refuses a taken name in the pipeline and probabilities outside 0-100.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        stages = _stages_of(pipeline)
        errors: list[FieldError] = []
        cleaned = clean_stage_fields(data, "", errors, creating=True)
        if "name" in cleaned and _name_taken(stages, cleaned["name"]):
            errors.append(FieldError("name", _("This pipeline has a stage named so."), "unique"))
        position = None
        if data.get("position") is not None:
            position = clean_int(data["position"], "position", errors, minimum=0)
        raise_if(errors)
        if position is None:
            if cleaned["kind"] == StageKind.OPEN:
                opens = [i for i, s in enumerate(stages) if s.kind == StageKind.OPEN]
                position = (opens[-1] + 1) if opens else 0
            else:
                position = len(stages)
        stage = Stage.objects.create(
            workspace=actor.workspace, created_by=actor.user, pipeline=pipeline, **cleaned
        )
        stages.insert(min(position, len(stages)), stage)
        _renumber(stages)
        audit.record(actor, "stage.created", stage, changes={"name": [None, stage.name]})
        events.emit(
            "stage.created",
            actor=actor,
            subject=stage,
            payload={"pipeline": pipeline.pk, "name": stage.name, "kind": stage.kind},
        )
    return stage


def update_stage(*, actor: Actor, stage_id: int, data: dict[str, Any]) -> Stage:
    """Change a stage's name, probability, rotting days or kind.

    Refuses a taken name, probabilities outside 0-100, changing the kind of a stage that holds
    deals (409), and a change that would leave the pipeline without an open, won or lost stage.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        stage = _stage_for_update(actor, stage_id)
        stages = _stages_of(stage.pipeline)
        errors: list[FieldError] = []
        cleaned = clean_stage_fields(data, "", errors, creating=False)
        if "name" in cleaned and _name_taken(stages, cleaned["name"], exclude_pk=stage.pk):
            errors.append(FieldError("name", _("This pipeline has a stage named so."), "unique"))
        new_kind = cleaned.get("kind", stage.kind)
        if new_kind != stage.kind:
            kinds = [new_kind if s.pk == stage.pk else s.kind for s in stages]
            problem = composition_error(kinds, "kind")
            if problem:
                errors.append(problem)
        raise_if(errors)
        if new_kind != stage.kind and Deal.objects.filter(stage=stage).exists():
            raise Conflict(
                _("Deals are in this stage; move them before changing its kind."),
                errors=[FieldError("kind", _("The stage holds deals."), "has_deals")],
            )
        changes = audit.diff({k: getattr(stage, k) for k in cleaned}, cleaned)
        if not changes:
            return stage
        for key, value in cleaned.items():
            setattr(stage, key, value)
        stage.save(update_fields=[*cleaned, "updated_at"])
        audit.record(actor, "stage.updated", stage, changes=changes)
        events.emit("stage.updated", actor=actor, subject=stage, payload={"changes": changes})
    return stage


def delete_stage(*, actor: Actor, stage_id: int, move_deals_to: int | None = None) -> None:
    """Delete a stage. Its deals (binned ones too) move to ``move_deals_to``, a stage of the same
    pipeline and kind; without it a stage holding deals is refused (409). Refuses leaving the
    pipeline without an open, won or lost stage. The dated history of past moves is kept."""
    require(actor, "settings.manage")
    with transaction.atomic():
        stage = _stage_for_update(actor, stage_id)
        stages = _stages_of(stage.pipeline)
        rest = [s for s in stages if s.pk != stage.pk]
        problem = composition_error([s.kind for s in rest], "stage_id")
        if problem:
            raise ValidationFailed(problem.message, errors=[problem])
        deals = list(
            Deal.objects.for_workspace(actor.workspace).select_for_update().filter(stage=stage)
        )
        target = None
        if move_deals_to is not None:
            target = next((s for s in rest if s.pk == move_deals_to), None)
            if target is None or target.kind != stage.kind:
                raise ValidationFailed.field(
                    "move_deals_to",
                    _("Choose another stage of the same pipeline and kind (%(kind)s).")
                    % {"kind": stage.get_kind_display()},
                    "invalid",
                )
        if deals and target is None:
            raise Conflict(
                _("%(n)s deal(s) are in this stage; say where to move them (move_deals_to).")
                % {"n": len(deals)},
                errors=[FieldError("move_deals_to", _("The stage holds deals."), "has_deals")],
            )
        if deals and target is not None:
            _move_deals_in_bulk(actor, deals, stage, target)
        audit.record(
            actor,
            "stage.deleted",
            stage,
            changes={"name": [stage.name, None], "moved_deals": [None, len(deals)]},
        )
        events.emit(
            "stage.deleted",
            actor=actor,
            subject=stage,
            payload={
                "pipeline": stage.pipeline_id,
                "name": stage.name,
                "moved_deals_to": target.pk if target else None,
                "moved_deals": len(deals),
            },
        )
        stage.delete()
        _renumber(rest)


def _move_deals_in_bulk(actor: Actor, deals: list[Deal], source: Stage, target: Stage) -> None:
    now = timezone.now()
    changes = []
    for deal in deals:
        seconds = max(0, int((now - deal.stage_entered_at).total_seconds()))
        changes.append(
            StageChange(
                workspace=actor.workspace,
                created_by=actor.user,
                deal=deal,
                pipeline_id=deal.pipeline_id,
                from_stage=source,
                to_stage=target,
                changed_at=now,
                seconds_in_previous=seconds,
                source=actor.source,
            )
        )
        deal.stage = target
        deal.stage_entered_at = now
    StageChange.objects.bulk_create(changes, batch_size=500)
    Deal.objects.bulk_update(deals, ["stage", "stage_entered_at"], batch_size=500)
    live = [d for d in deals if d.deleted_at is None]
    timeline.record_many(
        actor,
        [
            timeline.PendingEntry(
                kind="deal.stage_changed",
                summary=gettext_noop("Moved from %(from)s to %(to)s (stage deleted)"),
                params={"from": source.name, "to": target.name},
                person=d.person_id,
                company=d.company_id,
                deal=d.pk,
                data={"from_stage": source.pk, "to_stage": target.pk},
                occurred_at=now,
            )
            for d in live
        ],
    )
    events.emit_many(
        "deal.stage_changed",
        actor=actor,
        subjects=[
            (
                "deal",
                d.pk,
                {
                    "from_stage": source.pk,
                    "to_stage": target.pk,
                    "pipeline": d.pipeline_id,
                    "amount": str(d.amount),
                    "currency": d.currency,
                    "status": d.status,
                },
            )
            for d in live
        ],
    )


def reorder_stages(*, actor: Actor, pipeline_id: int, stage_ids: list[int]) -> list[Stage]:
    """Put a pipeline's stages in the order of ``stage_ids``, which must list each of its stages
    exactly once (else 422 on ``stage_ids``)."""
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        stages = _stages_of(pipeline)
        by_id = {s.pk: s for s in stages}
        ids = list(stage_ids) if isinstance(stage_ids, list | tuple) else None
        if ids is None or len(ids) != len(by_id) or set(ids) != set(by_id):
            raise ValidationFailed.field(
                "stage_ids",
                _("List every stage of this pipeline exactly once (ids: %(ids)s).")
                % {"ids": ", ".join(str(pk) for pk in by_id)},
                "not_a_permutation",
            )
        before = [s.pk for s in stages]
        ordered = [by_id[pk] for pk in ids]
        if before != ids:
            _renumber(ordered)
            audit.record(
                actor, "pipeline.stages_reordered", pipeline, changes={"stages": [before, ids]}
            )
            events.emit(
                "pipeline.stages_reordered",
                actor=actor,
                subject=pipeline,
                payload={"stage_ids": ids},
            )
    return ordered
