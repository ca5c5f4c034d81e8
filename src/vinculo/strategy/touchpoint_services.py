"""Writes of the touchpoint map: add, change and remove cells. A cell is unique (stage by
department by channel); its stage is a lifecycle stage key of the workspace; its policy is
consistent (``reply_within`` an amount of a duration unit, ``at_most`` / ``at_least`` an amount
a day, week or month, no rule without amount nor unit)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vinculo.contacts.models import LifecycleStage
from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, choice_error, collect, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.validators import clean_name
from vinculo.strategy import experience_cleaning as cleaning
from vinculo.strategy.models import Function, PolicyKind, Touchpoint, TouchpointChannel
from vinculo.strategy.touchpoint_policy import HIGHEST, LOWEST, UNITS_OF
from vinculo.strategy.touchpoint_selectors import get_touchpoint

FIELDS = (
    "lifecycle_stage",
    "department",
    "channel",
    "owner_id",
    "team_id",
    "policy_kind",
    "policy_amount",
    "policy_unit",
    "policy_note",
    "kpi_key",
)
MAX_TOUCHPOINTS = 1000


def _taken_error() -> FieldError:
    return FieldError(
        "channel",
        _("This stage and department already have this channel on the map."),
        "unique",
    )


def _policy(errors: list[FieldError], data: dict[str, Any]) -> tuple[str, int | None, str]:
    kind = data.get("policy_kind") or ""
    if kind not in PolicyKind.values:
        errors.append(choice_error("policy_kind", kind, [v for v in PolicyKind.values if v]))
        return "", None, ""
    unit = data.get("policy_unit") or ""
    raw_amount = data.get("policy_amount")
    if not kind:
        if raw_amount not in (None, "") or unit:
            errors.append(
                FieldError("policy_kind", _("Choose the rule this amount is for."), "required")
            )
        return "", None, ""
    amount = cleaning.whole_number(
        errors, "policy_amount", raw_amount, low=LOWEST[kind], high=HIGHEST
    )
    if amount is None and not any(e.field == "policy_amount" for e in errors):
        errors.append(FieldError("policy_amount", _("Say how many."), "required"))
    allowed = UNITS_OF[kind]
    if not unit:
        errors.append(FieldError("policy_unit", _("Choose a unit."), "required"))
    elif unit not in allowed:
        errors.append(choice_error("policy_unit", unit, allowed))
    return kind, amount, unit


def clean_touchpoint(
    actor: Actor, data: dict[str, Any], *, touchpoint_id: int | None = None
) -> dict[str, Any]:
    """The cell's columns from ``data`` (every field given), or ``ValidationFailed`` naming each
    bad field."""
    errors: list[FieldError] = []
    stage = data.get("lifecycle_stage") or ""
    if not isinstance(stage, str) or not stage:
        errors.append(FieldError("lifecycle_stage", _("This field is required."), "required"))
    elif not LifecycleStage.objects.for_workspace(actor.workspace).filter(key=stage).exists():
        errors.append(
            FieldError("lifecycle_stage", _("No lifecycle stage has this key."), "unknown")
        )
    department = data.get("department") or ""
    if department not in Function.values:
        errors.append(choice_error("department", department, Function.values))
    channel = data.get("channel") or ""
    if channel not in TouchpointChannel.values:
        errors.append(choice_error("channel", channel, TouchpointChannel.values))
    kind, amount, unit = _policy(errors, data)
    note = collect(errors, clean_name, data.get("policy_note"), "policy_note", max_length=300)
    cleaned = {
        "lifecycle_stage": stage,
        "department": department,
        "channel": channel,
        "owner_id": cleaning.member_id(actor, errors, "owner_id", data.get("owner_id")),
        "team_id": cleaning.team_id(actor, errors, "team_id", data.get("team_id")),
        "policy_kind": kind,
        "policy_amount": amount,
        "policy_unit": unit,
        "policy_note": note or "",
        "kpi_key": cleaning.kpi_key(errors, "kpi_key", data.get("kpi_key")),
    }
    if not errors:
        taken = Touchpoint.objects.for_workspace(actor.workspace).filter(
            lifecycle_stage=stage, department=department, channel=channel
        )
        if touchpoint_id is not None:
            taken = taken.exclude(pk=touchpoint_id)
        if taken.exists():
            errors.append(_taken_error())
    raise_if_any(errors)
    return cleaned


def _saved(touchpoint: Touchpoint) -> Touchpoint:
    try:
        with transaction.atomic():
            touchpoint.save()
    except IntegrityError:  # a race past the check: still the 422 of a taken cell
        raise_if_any([_taken_error()])
    return touchpoint


def create_touchpoint(*, actor: Actor, data: dict[str, Any]) -> Touchpoint:
    require(actor, "strategy.manage")
    cleaned = clean_touchpoint(actor, data)
    if Touchpoint.objects.for_workspace(actor.workspace).count() >= MAX_TOUCHPOINTS:
        raise_if_any(
            [
                FieldError(
                    "channel", _("At most %(n)s touchpoints.") % {"n": MAX_TOUCHPOINTS}, "too_many"
                )
            ]
        )
    with transaction.atomic():
        touchpoint = _saved(Touchpoint(workspace=actor.workspace, created_by=actor.user, **cleaned))
        audit.record(actor, "touchpoint.created", touchpoint)
    return touchpoint


def update_touchpoint(*, actor: Actor, touchpoint_id: int, data: dict[str, Any]) -> Touchpoint:
    """Change a cell: fields left out keep their value (``policy_kind: ""`` drops the rule with
    its amount and unit)."""
    require(actor, "strategy.manage")
    with transaction.atomic():
        touchpoint = get_touchpoint(actor, touchpoint_id)
        merged = {f: getattr(touchpoint, f) for f in FIELDS}
        if "policy_kind" in data and not data["policy_kind"]:  # the rule dropped: its parts too
            merged |= {"policy_amount": None, "policy_unit": ""}
        merged |= {k: v for k, v in data.items() if k in FIELDS}
        for name, value in clean_touchpoint(actor, merged, touchpoint_id=touchpoint.pk).items():
            setattr(touchpoint, name, value)
        _saved(touchpoint)
        audit.record(actor, "touchpoint.updated", touchpoint)
    return touchpoint


def delete_touchpoint(*, actor: Actor, touchpoint_id: int) -> None:
    require(actor, "strategy.manage")
    with transaction.atomic():
        touchpoint = get_touchpoint(actor, touchpoint_id)
        audit.record(actor, "touchpoint.deleted", touchpoint)
        touchpoint.delete()
