"""Lifecycle stages: the workspace's glossary of stages (the defaults made with the workspace,
then added, renamed, reordered) and a record's dated move from one stage to another."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.contacts.models import Company, JourneyPhase, LifecycleChange, LifecycleStage, Person
from vinculo.contacts.services._common import get_for_update
from vinculo.core import audit, events, timeline, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, ValidationFailed, choice_error, collect, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.validators import clean_long_text as long_text

DEFAULT_LIFECYCLE = [
    (
        "subscriber",
        "Assinante",
        JourneyPhase.AWARENESS,
        "Assina a newsletter ou o blog; ainda não demonstrou interesse de compra.",
    ),
    (
        "lead",
        "Lead",
        JourneyPhase.CONSIDERATION,
        "Deixou os dados em troca de algo (material, evento) e pode ser trabalhado.",
    ),
    (
        "mql",
        "MQL",
        JourneyPhase.CONSIDERATION,
        "Lead qualificado pelo marketing: perfil e engajamento indicam potencial.",
    ),
    ("sql", "SQL", JourneyPhase.DECISION, "Lead aceito por vendas para abordagem direta."),
    (
        "opportunity",
        "Oportunidade",
        JourneyPhase.DECISION,
        "Há um negócio aberto com esta pessoa ou empresa.",
    ),
    ("customer", "Cliente", JourneyPhase.GROWTH, "Comprou ao menos uma vez."),
    ("advocate", "Promotor", JourneyPhase.ADVOCACY, "Cliente que indica e defende a marca."),
]


def ensure_lifecycle_stages(*, actor: Actor) -> list[LifecycleStage]:
    """The workspace's lifecycle stages, creating the default seven when it has none.

    Registered as a workspace default (made with the workspace); writes that need the stages
    may call it too. Reads use ``selectors.lifecycle_stages``, which never creates them."""
    stages = list(LifecycleStage.objects.for_workspace(actor.workspace))
    if stages:
        return stages
    with transaction.atomic():
        LifecycleStage.objects.bulk_create(
            [
                LifecycleStage(
                    workspace=actor.workspace,
                    key=key,
                    name=name,
                    phase=phase,
                    description=description,
                    position=i,
                )
                for i, (key, name, phase, description) in enumerate(DEFAULT_LIFECYCLE)
            ],
            ignore_conflicts=True,
        )
    return list(LifecycleStage.objects.for_workspace(actor.workspace))


def create_lifecycle_stage(*, actor: Actor, data: dict[str, Any]) -> LifecycleStage:
    """Add a stage to the workspace's lifecycle (its glossary: what the stage means here)."""
    require(actor, "settings.manage")
    ensure_lifecycle_stages(actor=actor)
    errors: list[FieldError] = []
    key = validators.clean_name(data.get("key"), "key", required=False, max_length=40)
    name = collect(
        errors, validators.clean_name, data.get("name"), "name", required=True, max_length=60
    )
    key = slugify(key or name or "").replace("-", "_")[:40]
    if not key:
        errors.append(FieldError("key", _("This field is required."), "required"))
    elif LifecycleStage.objects.for_workspace(actor.workspace).filter(key=key).exists():
        errors.append(FieldError("key", _("A stage with this key exists."), "unique"))
    phase = data.get("phase") or JourneyPhase.CONSIDERATION
    if phase not in JourneyPhase.values:
        errors.append(choice_error("phase", phase, JourneyPhase.values))
    description = collect(errors, long_text, data.get("description"), "description") or ""
    raise_if_any(errors)
    with transaction.atomic():
        position = data.get("position")
        if position is None:
            position = LifecycleStage.objects.for_workspace(actor.workspace).count()
        stage = LifecycleStage.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            key=key,
            name=name,
            phase=phase,
            description=description,
            position=int(position),
        )
        audit.record(actor, "lifecycle_stage.created", stage)
        events.emit("lifecycle_stage.updated", actor=actor, subject=stage, payload={"key": key})
    return stage


def update_lifecycle_stage(*, actor: Actor, stage_id: int, data: dict[str, Any]) -> LifecycleStage:
    """Rename, redefine, re-phase, reorder or (de)activate a stage; its key never changes."""
    require(actor, "settings.manage")
    with transaction.atomic():
        stage = get_for_update(LifecycleStage, actor, stage_id, _("lifecycle stage"))
        errors: list[FieldError] = []
        before = {
            "name": stage.name,
            "description": stage.description,
            "phase": stage.phase,
            "position": stage.position,
            "is_active": stage.is_active,
        }
        if "name" in data:
            stage.name = (
                collect(
                    errors,
                    validators.clean_name,
                    data["name"],
                    "name",
                    required=True,
                    max_length=60,
                )
                or stage.name
            )
        if "description" in data:
            stage.description = collect(errors, long_text, data["description"], "description")
        if "phase" in data:
            if data["phase"] not in JourneyPhase.values:
                errors.append(choice_error("phase", data["phase"], JourneyPhase.values))
            else:
                stage.phase = data["phase"]
        if "position" in data and data["position"] is not None:
            stage.position = int(data["position"])
        if "is_active" in data and data["is_active"] is not None:
            stage.is_active = bool(data["is_active"])
        raise_if_any(errors)
        stage.save()
        after = {k: getattr(stage, k) for k in before}
        audit.record(actor, "lifecycle_stage.updated", stage, changes=audit.diff(before, after))
        events.emit(
            "lifecycle_stage.updated", actor=actor, subject=stage, payload={"key": stage.key}
        )
    return stage


def reorder_lifecycle_stages(*, actor: Actor, stage_ids: list[int]) -> list[LifecycleStage]:
    """Put the workspace's lifecycle stages in the order of ``stage_ids`` (all of them, once)."""
    require(actor, "settings.manage")
    with transaction.atomic():
        stages = {
            s.pk: s
            for s in LifecycleStage.objects.for_workspace(actor.workspace).select_for_update()
        }
        if sorted(stage_ids) != sorted(stages) or len(set(stage_ids)) != len(stage_ids):
            raise ValidationFailed.field(
                "stage_ids",
                _("Send every lifecycle stage id of this workspace exactly once."),
                "invalid_order",
            )
        before = [s.key for s in sorted(stages.values(), key=lambda s: (s.position, s.pk))]
        for position, pk in enumerate(stage_ids):
            stages[pk].position = position
        LifecycleStage.objects.bulk_update(list(stages.values()), ["position"])
        after = [stages[pk].key for pk in stage_ids]
        if before != after:
            audit.record(
                actor,
                "lifecycle_stage.reordered",
                object_type="contacts.lifecyclestage",
                changes={"order": [before, after]},
            )
            events.emit(
                "lifecycle_stage.updated",
                actor=actor,
                subject_type="lifecyclestage",
                payload={"order": after},
            )
    return [stages[pk] for pk in stage_ids]


def move_lifecycle(
    actor: Actor,
    record: Person | Company,
    stage: LifecycleStage | None,
    link: dict[str, Any],
    kind: str,
) -> None:
    """Move ``record`` to ``stage`` now: dated history row, timeline entry and the
    ``<kind>.lifecycle_changed`` event."""
    previous = record.lifecycle_stage
    now = timezone.now()
    type(record).objects.filter(pk=record.pk).update(
        lifecycle_stage=stage, lifecycle_changed_at=now
    )
    record.lifecycle_stage = stage
    record.lifecycle_changed_at = now
    LifecycleChange.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        from_stage=previous,
        to_stage=stage,
        changed_at=now,
        source=actor.source,
        **link,
    )
    timeline.record(
        actor,
        "lifecycle.changed",
        gettext_noop("Lifecycle: %(old)s → %(new)s"),
        params={"old": previous.name if previous else "—", "new": stage.name if stage else "—"},
        occurred_at=now,
        data={
            "from": previous.key if previous else None,
            "to": stage.key if stage else None,
        },
        **link,
    )
    events.emit(
        f"{kind}.lifecycle_changed",
        actor=actor,
        subject=record,
        payload={
            "from": previous.key if previous else None,
            "to": stage.key if stage else None,
            "phase": stage.phase if stage else None,
        },
    )
