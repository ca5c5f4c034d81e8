"""Pipelines: the default one, create, rename, make default, archive, delete.

Each service runs in one transaction: check permission, validate (every bad field at once),
write, audit, domain event. A new pipeline gets its stages (:mod:`.stages` cleans them) and
the default lost reasons (:mod:`.lost_reasons`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError
from vinculo.core.permissions import require
from vinculo.core.tenancy import Workspace
from vinculo.core.text import fold, name_taken
from vinculo.core.validators import clean_name
from vinculo.sales.models import Deal, Pipeline, Stage, StageKind
from vinculo.sales.services.lost_reasons import pipeline_for_update, seed_defaults
from vinculo.sales.services.stages import clean_stage_fields, composition_error
from vinculo.sales.validation import collect, raise_if

# Default pipeline per interface language: (name, [(stage, probability, kind, rotting days)]).
_DEFAULT_PIPELINES: dict[str, tuple[str, list[tuple[str, int, str, int | None]]]] = {
    "pt": (
        "Vendas",
        [
            ("Qualificação", 10, StageKind.OPEN, 14),
            ("Reunião", 25, StageKind.OPEN, 14),
            ("Proposta", 50, StageKind.OPEN, 21),
            ("Negociação", 75, StageKind.OPEN, 30),
            ("Ganho", 100, StageKind.WON, None),
            ("Perdido", 0, StageKind.LOST, None),
        ],
    ),
    "en": (
        "Sales",
        [
            ("Qualification", 10, StageKind.OPEN, 14),
            ("Meeting", 25, StageKind.OPEN, 14),
            ("Proposal", 50, StageKind.OPEN, 21),
            ("Negotiation", 75, StageKind.OPEN, 30),
            ("Won", 100, StageKind.WON, None),
            ("Lost", 0, StageKind.LOST, None),
        ],
    ),
}


def _default_template(workspace: Workspace) -> tuple[str, list[dict[str, Any]]]:
    language = "pt" if (workspace.locale or "pt").lower().startswith("pt") else "en"
    name, stages = _DEFAULT_PIPELINES[language]
    return name, [
        {"name": n, "probability": p, "kind": k, "rotting_days": r} for n, p, k, r in stages
    ]


def _live_pipelines(workspace: Workspace) -> Any:
    return Pipeline.objects.for_workspace(workspace).filter(archived_at__isnull=True)


def ensure_default_pipeline(*, actor: Actor) -> Pipeline:
    """The workspace's default pipeline, created ("Vendas"/"Sales" with six stages) if it has none.

    Idempotent. When live pipelines exist but none is the default, the first becomes the default.
    Registered as a workspace default (made with the workspace); creating a deal in a workspace
    whose pipelines were all deleted makes it again. Reads never call it.
    """
    require(actor, "records.view")
    default = _live_pipelines(actor.workspace).filter(is_default=True).first()
    if default is not None:
        return default
    with transaction.atomic():
        # Serialise concurrent first calls on the workspace row so only one pipeline appears.
        Workspace.objects.select_for_update().filter(pk=actor.workspace.pk).first()
        live = _live_pipelines(actor.workspace)
        default = live.filter(is_default=True).first()
        if default is not None:
            return default
        first = live.order_by("position", "id").first()
        if first is not None:
            first.is_default = True
            first.save(update_fields=["is_default", "updated_at"])
            audit.record(actor, "pipeline.updated", first, changes={"is_default": [False, True]})
            events.emit(
                "pipeline.updated",
                actor=actor,
                subject=first,
                payload={"changes": {"is_default": [False, True]}},
            )
            return first
        name, stages = _default_template(actor.workspace)
        return _create_pipeline(actor, name=name, stages=stages, is_default=True)


def _clean_pipeline_name(
    actor: Actor, value: Any, errors: list[FieldError], *, exclude_pk: int | None = None
) -> str | None:
    name = collect(errors, clean_name, value, "name", required=True, max_length=100)
    if name is None:
        return None
    taken = _live_pipelines(actor.workspace)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if name_taken(taken, name):
        errors.append(FieldError("name", _("A pipeline with this name exists."), "unique"))
        return None
    return name


def _clean_stage_list(stages: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    if not isinstance(stages, list) or not stages:
        errors.append(FieldError("stages", _("Send a non-empty list of stages."), "required"))
        return []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(stages):
        if not isinstance(raw, dict):
            errors.append(FieldError(f"stages.{i}", _("Send an object."), "invalid_type"))
            continue
        stage = clean_stage_fields(raw, f"stages.{i}.", errors, creating=True)
        name = stage.get("name")
        if name is not None:
            if fold(name) in seen:
                errors.append(
                    FieldError(f"stages.{i}.name", _("Stage names must be unique."), "unique")
                )
            seen.add(fold(name))
        cleaned.append(stage)
    if not errors:
        problem = composition_error([s["kind"] for s in cleaned], "stages")
        if problem:
            errors.append(problem)
    return cleaned


def create_pipeline(*, actor: Actor, data: dict[str, Any]) -> Pipeline:
    """Create a pipeline with its stages (``data``: name, stages, is_default).

    Without ``stages`` it gets the default stages. Refuses an empty or taken name, bad stages
    (probability outside 0-100, duplicate names) and a list lacking an open, won or lost stage.
    """
    require(actor, "settings.manage")
    errors: list[FieldError] = []
    name = _clean_pipeline_name(actor, data.get("name"), errors)
    raw_stages = data.get("stages")
    if raw_stages is None:
        stages = _default_template(actor.workspace)[1]
    else:
        stages = _clean_stage_list(raw_stages, errors)
    raise_if(errors)
    with transaction.atomic():
        is_default = (
            bool(data.get("is_default"))
            or not _live_pipelines(actor.workspace).filter(is_default=True).exists()
        )
        return _create_pipeline(actor, name=name or "", stages=stages, is_default=is_default)


def _create_pipeline(
    actor: Actor, *, name: str, stages: list[dict[str, Any]], is_default: bool
) -> Pipeline:
    workspace = actor.workspace
    if is_default:
        Pipeline.objects.for_workspace(workspace).filter(is_default=True).update(is_default=False)
    top = Pipeline.objects.for_workspace(workspace).aggregate(m=Max("position"))["m"]
    pipeline = Pipeline.objects.create(
        workspace=workspace,
        created_by=actor.user,
        name=name,
        is_default=is_default,
        position=0 if top is None else top + 1,
    )
    Stage.objects.bulk_create(
        [
            Stage(
                workspace=workspace,
                created_by=actor.user,
                pipeline=pipeline,
                position=i,
                name=s["name"],
                kind=s["kind"],
                probability=s["probability"],
                rotting_days=s.get("rotting_days"),
            )
            for i, s in enumerate(stages)
        ]
    )
    seed_defaults(actor, pipeline)
    names = [s["name"] for s in stages]
    audit.record(
        actor, "pipeline.created", pipeline, changes={"name": [None, name], "stages": [None, names]}
    )
    events.emit(
        "pipeline.created",
        actor=actor,
        subject=pipeline,
        payload={"name": name, "stages": names, "is_default": is_default},
    )
    return pipeline


def update_pipeline(*, actor: Actor, pipeline_id: int, data: dict[str, Any]) -> Pipeline:
    """Rename a pipeline, make it the default, or archive/unarchive it (``archived``: bool).

    Refuses a taken name, unsetting the default directly (make another one the default), making
    an archived pipeline the default, and archiving the default pipeline.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        errors: list[FieldError] = []
        changes: dict[str, list[Any]] = {}
        if "name" in data:
            name = _clean_pipeline_name(actor, data["name"], errors, exclude_pk=pipeline.pk)
            if name is not None and name != pipeline.name:
                changes["name"] = [pipeline.name, name]
        archived = pipeline.archived_at is not None
        if data.get("archived") is not None and bool(data["archived"]) != archived:
            if data["archived"] and (pipeline.is_default or data.get("is_default")):
                errors.append(
                    FieldError(
                        "archived",
                        _("Make another pipeline the default before archiving this one."),
                        "is_default",
                    )
                )
            else:
                changes["archived"] = [archived, bool(data["archived"])]
        if data.get("is_default") is not None and bool(data["is_default"]) != pipeline.is_default:
            if not data["is_default"]:
                errors.append(
                    FieldError(
                        "is_default",
                        _("Make another pipeline the default instead."),
                        "invalid",
                    )
                )
            elif archived and not changes.get("archived"):
                errors.append(
                    FieldError(
                        "is_default", _("An archived pipeline cannot be the default."), "archived"
                    )
                )
            else:
                changes["is_default"] = [False, True]
        raise_if(errors)
        if not changes:
            return pipeline
        if "name" in changes:
            pipeline.name = changes["name"][1]
        if "archived" in changes:
            pipeline.archived_at = timezone.now() if changes["archived"][1] else None
        if "is_default" in changes:
            Pipeline.objects.for_workspace(actor.workspace).filter(is_default=True).update(
                is_default=False
            )
            pipeline.is_default = True
        pipeline.save(update_fields=["name", "archived_at", "is_default", "updated_at"])
        audit.record(actor, "pipeline.updated", pipeline, changes=changes)
        events.emit("pipeline.updated", actor=actor, subject=pipeline, payload={"changes": changes})
    return pipeline


def archive_pipeline(*, actor: Actor, pipeline_id: int) -> Pipeline:
    """Hide a pipeline from lists and new deals; its deals and history stay. Not the default."""
    return update_pipeline(actor=actor, pipeline_id=pipeline_id, data={"archived": True})


def delete_pipeline(*, actor: Actor, pipeline_id: int) -> None:
    """Delete a pipeline and its stages. Refuses (409) while any deal, even a binned one, is in
    it: archive it instead. Deleting the default makes the next live pipeline the default."""
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        count = Deal.objects.for_workspace(actor.workspace).filter(pipeline=pipeline).count()
        if count:
            raise Conflict(
                _("This pipeline has %(n)s deal(s); archive it instead, or move them first.")
                % {"n": count}
            )
        if pipeline.is_default:
            heir = (
                _live_pipelines(actor.workspace)
                .exclude(pk=pipeline.pk)
                .order_by("position", "id")
                .first()
            )
            if heir is not None:
                heir.is_default = True
                heir.save(update_fields=["is_default", "updated_at"])
        audit.record(actor, "pipeline.deleted", pipeline, changes={"name": [pipeline.name, None]})
        events.emit(
            "pipeline.deleted", actor=actor, subject=pipeline, payload={"name": pipeline.name}
        )
        pipeline.delete()
