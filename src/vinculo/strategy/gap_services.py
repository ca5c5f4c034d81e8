"""Writes of customer-experience gaps: add, change, remove. Every field is checked and named on
failure: the evidence KPI is registered, the evidence segment a valid filter-language tree on
people, the saved list one the actor sees, the whys a chain of 1 to 7 answers, the tactics and
goals of the same workspace."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import audit, filters
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, choice_error, collect, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.validators import clean_long_text, clean_name
from vinculo.strategy import experience_cleaning as cleaning
from vinculo.strategy.gap_selectors import get_gap, visible_views
from vinculo.strategy.models import Gap, GapStatus, Goal, Tactic

MAX_WHYS = 7
MAX_WHY_CHARS = 500
MAX_LINKS = 100
FIELDS = (
    "title",
    "observed",
    "evidence_kpi",
    "evidence_segment",
    "evidence_view_id",
    "evidence_note",
    "whys",
    "root_cause",
    "status",
    "owner_id",
)


def _segment(actor: Actor, errors: list[FieldError], tree: Any) -> dict | None:
    if tree in (None, {}, ""):
        return None
    if not isinstance(tree, dict):
        errors.append(FieldError("evidence_segment", _("Send a JSON object."), "invalid_type"))
        return None
    try:
        filters.validate_filter("person", tree, actor=actor)
    except filters.BadFilter as exc:  # "filter.and.0.op" → "evidence_segment.and.0.op"
        errors.extend(
            [
                FieldError(
                    "evidence_segment" + e.field.removeprefix(filters.ROOT), e.message, e.code
                )
                for e in exc.errors
            ]
            or [FieldError("evidence_segment", exc.detail)]
        )
        return None
    return tree


def _whys(errors: list[FieldError], whys: Any) -> list[str]:
    """1 to 7 answers, each a non-empty line of text."""
    if not isinstance(whys, list):
        errors.append(FieldError("whys", _("Send a list of answers."), "invalid_type"))
        return []
    if not 1 <= len(whys) <= MAX_WHYS:
        errors.append(
            FieldError(
                "whys",
                _("Ask why from 1 to %(n)s times.") % {"n": MAX_WHYS},
                "required" if not whys else "too_many",
            )
        )
        return []
    answers = []
    for i, answer in enumerate(whys):
        if not isinstance(answer, str):
            errors.append(FieldError(f"whys.{i}", _("Send text."), "invalid_type"))
            continue
        text = collect(
            errors, clean_name, answer, f"whys.{i}", required=True, max_length=MAX_WHY_CHARS
        )
        answers.append(text or "")
    return answers


def _view_id(actor: Actor, errors: list[FieldError], value: Any) -> int | None:
    number = cleaning.whole_number(errors, "evidence_view_id", value, low=1, high=2**31 - 1)
    if number is not None and not visible_views(actor).filter(pk=number).exists():
        errors.append(
            FieldError("evidence_view_id", _("No saved list you can see has this id."), "unknown")
        )
        return None
    return number


def _ids(
    actor: Actor,
    errors: list[FieldError],
    field: str,
    value: Any,
    model: type[Tactic] | type[Goal],
) -> list[int] | None:
    """Ids of ``model`` rows of the workspace (None: leave the links as they are)."""
    if value is None:
        return None
    if not isinstance(value, list) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in value
    ):
        errors.append(FieldError(field, _("Send a list of ids."), "invalid_type"))
        return None
    if len(value) > MAX_LINKS:
        errors.append(FieldError(field, _("At most %(n)s.") % {"n": MAX_LINKS}, "too_many"))
        return None
    wanted = set(value)
    found = set(
        model.objects.for_workspace(actor.workspace)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    for missing in sorted(wanted - found):
        errors.append(
            FieldError(
                field, _("No record of this workspace has id %(id)s.") % {"id": missing}, "unknown"
            )
        )
    return sorted(wanted)


def clean_gap(actor: Actor, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The gap's columns and its links (``tactics``, ``goals``: ids, or None to leave them)
    from ``data``, or ``ValidationFailed`` naming each bad field."""
    errors: list[FieldError] = []
    status = data.get("status") or GapStatus.OPEN
    if status not in GapStatus.values:
        errors.append(choice_error("status", status, GapStatus.values))
    cleaned = {
        "title": collect(
            errors, clean_name, data.get("title"), "title", required=True, max_length=200
        ),
        "observed": collect(errors, clean_long_text, data.get("observed"), "observed") or "",
        "evidence_kpi": cleaning.kpi_key(errors, "evidence_kpi", data.get("evidence_kpi")),
        "evidence_segment": _segment(actor, errors, data.get("evidence_segment")),
        "evidence_view_id": _view_id(actor, errors, data.get("evidence_view_id")),
        "evidence_note": collect(
            errors, clean_long_text, data.get("evidence_note"), "evidence_note"
        )
        or "",
        "whys": _whys(errors, data.get("whys")),
        "root_cause": collect(errors, clean_long_text, data.get("root_cause"), "root_cause") or "",
        "status": status,
        "owner_id": cleaning.member_id(actor, errors, "owner_id", data.get("owner_id")),
    }
    links = {
        "tactics": _ids(actor, errors, "tactic_ids", data.get("tactic_ids"), Tactic),
        "goals": _ids(actor, errors, "goal_ids", data.get("goal_ids"), Goal),
    }
    raise_if_any(errors)
    return cleaned, links


def _link(gap: Gap, links: dict[str, Any]) -> None:
    if links["tactics"] is not None:
        gap.tactics.set(links["tactics"])
    if links["goals"] is not None:
        gap.goals.set(links["goals"])


def create_gap(*, actor: Actor, data: dict[str, Any]) -> Gap:
    require(actor, "strategy.manage")
    cleaned, links = clean_gap(actor, data)
    with transaction.atomic():
        gap = Gap.objects.create(workspace=actor.workspace, created_by=actor.user, **cleaned)
        _link(gap, links)
        audit.record(actor, "gap.created", gap)
    return gap


def update_gap(*, actor: Actor, gap_id: int, data: dict[str, Any]) -> Gap:
    """Change a gap: fields left out keep their value; ``tactic_ids`` / ``goal_ids`` replace
    the links when given."""
    require(actor, "strategy.manage")
    with transaction.atomic():
        gap = get_gap(actor, gap_id)
        merged = {f: getattr(gap, f) for f in FIELDS} | {
            k: v for k, v in data.items() if k in (*FIELDS, "tactic_ids", "goal_ids")
        }
        cleaned, links = clean_gap(actor, merged)
        for name, value in cleaned.items():
            setattr(gap, name, value)
        gap.save()
        _link(gap, links)
        audit.record(actor, "gap.updated", gap)
    return gap


def delete_gap(*, actor: Actor, gap_id: int) -> None:
    require(actor, "strategy.manage")
    with transaction.atomic():
        gap = get_gap(actor, gap_id)
        audit.record(actor, "gap.deleted", gap)
        gap.delete()
