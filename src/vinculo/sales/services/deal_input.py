"""Cleaning deal input, in named steps: the plain fields by the deals' write contract
(:mod:`vinculo.sales.contract`: unknown keys, title, amount, currency, expected close date, lost
note, source, description), an imported stage history, pipeline and stage, line items and the
amount they make, people, the lost reason, tags and custom fields, the imported creation date,
then the lost reason a lost deal needs and the workspace's entry rules. Every bad field is
reported at once; nothing here writes (a missing default pipeline excepted, made through the
references).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts.custom_fields import clean_custom_fields
from vinculo.core.errors import FieldError
from vinculo.core.text import fold
from vinculo.core.validators import clean_datetime, clean_name
from vinculo.sales.contract import DEAL
from vinculo.sales.models import Deal, Pipeline, Stage
from vinculo.sales.services.deal_refs import DealRefs
from vinculo.sales.services.lost_reasons import check_lost
from vinculo.sales.services.products import clean_line_items, line_total
from vinculo.sales.validation import CENT, ZERO, clean_id, collect

# The largest amount: 999999999999.99 (the contract's 14 digits, 2 of them decimals).
MAX_AMOUNT = Decimal(10) ** (DEAL["amount"].max_digits - 2) - CENT
# Imported history may be stamped a little ahead of our clock; more than this is refused.
CLOCK_SKEW = timedelta(minutes=5)


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
    refs: DealRefs, value: Any, errors: list[FieldError], now: datetime
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


@dataclass
class _Placement:
    """Where deal input puts the deal, while it is cleaned: the pipeline and stage it names
    (None when not named, or named wrongly) and their ids as sent (-1 when they named nothing
    usable, so no default replaces them)."""

    pipeline: Pipeline | None = None
    pipeline_id: int | None = None
    stage: Stage | None = None
    stage_id: int | None = None


def _read_placement(
    refs: DealRefs, data: dict[str, Any], errors: list[FieldError], deal: Deal | None
) -> _Placement:
    """The pipeline (only when it changes) and the stage that ``data`` names."""
    place = _Placement()
    place.pipeline_id = clean_id(data.get("pipeline_id"), "pipeline_id", errors)
    if place.pipeline_id is not None and (deal is None or place.pipeline_id != deal.pipeline_id):
        place.pipeline = refs.pipeline(place.pipeline_id)
        if place.pipeline is None or place.pipeline.archived_at is not None:
            errors.append(
                FieldError(
                    "pipeline_id", _("No live pipeline with this id in the workspace."), "invalid"
                )
            )
            place.pipeline = None
            place.pipeline_id = -1  # known bad: do not default it
    place.stage_id = clean_id(data.get("stage_id"), "stage_id", errors)
    if place.stage_id is not None:
        place.stage = refs.stage(place.stage_id)
        if place.stage is None:
            errors.append(
                FieldError("stage_id", _("No stage with this id in the workspace."), "invalid")
            )
            place.stage_id = -1
    return place


def _follow_history(
    place: _Placement, history: list[tuple[Stage, datetime]], errors: list[FieldError]
) -> None:
    """An imported history's last stage is the current one (a different ``stage_id`` is refused)."""
    last = history[-1][0]
    if place.stage is not None and place.stage.pk != last.pk:
        errors.append(
            FieldError(
                "stage_id", _("The current stage must be the last of stage_history."), "invalid"
            )
        )
    place.stage = last


def _default_placement(refs: DealRefs, place: _Placement, errors: list[FieldError]) -> None:
    """A new deal goes to the stage's pipeline, else the default pipeline, and to the
    pipeline's first open stage when no stage is named."""
    if place.pipeline is None and place.pipeline_id is None:
        if place.stage is not None:
            place.pipeline = place.stage.pipeline
            if place.pipeline.archived_at is not None:
                errors.append(
                    FieldError("stage_id", _("This stage's pipeline is archived."), "archived")
                )
        elif place.stage_id is None:
            place.pipeline = refs.default_pipeline()
    if place.pipeline is not None and place.stage is None and place.stage_id is None:
        place.stage = refs.first_open_stage(place.pipeline)


def _changed_placement(
    refs: DealRefs, place: _Placement, errors: list[FieldError], deal: Deal
) -> None:
    """A deal changes stage here only when it moves to another pipeline (to the stage named
    there, else its first open stage); a stage change within the pipeline is a move."""
    if place.pipeline is not None:  # moving the deal to another pipeline
        if place.stage is None and place.stage_id is None:
            place.stage = refs.first_open_stage(place.pipeline)
    elif place.stage_id is not None and place.stage is not None and place.stage.pk != deal.stage_id:
        errors.append(
            FieldError(
                "stage_id",
                _("Use the move action to change a deal's stage."),
                "use_move",
            )
        )
        place.stage = None
    else:
        place.stage = None


def _check_pipeline(
    place: _Placement, history: list[tuple[Stage, datetime]] | None, errors: list[FieldError]
) -> None:
    """The stage, and every stage of an imported history, belongs to the chosen pipeline."""
    pipeline = place.pipeline
    if pipeline is None:
        return
    if place.stage is not None and place.stage.pipeline_id != pipeline.pk:
        errors.append(
            FieldError(
                "stage_id",
                _("This stage is not in the pipeline %(name)s.") % {"name": pipeline.name},
                "wrong_pipeline",
            )
        )
        place.stage = None
    if history:
        for j, (past, _at) in enumerate(history):
            if past.pipeline_id != pipeline.pk:
                errors.append(
                    FieldError(
                        f"stage_history.{j}.stage_id",
                        _("This stage is not in the pipeline %(name)s.") % {"name": pipeline.name},
                        "wrong_pipeline",
                    )
                )


def _clean_placement(
    refs: DealRefs,
    data: dict[str, Any],
    out: dict[str, Any],
    errors: list[FieldError],
    *,
    deal: Deal | None,
    history: list[tuple[Stage, datetime]] | None,
) -> None:
    """``stage`` and ``pipeline`` of ``out``: where a new deal starts, or where a deal moves
    when its pipeline changes."""
    place = _read_placement(refs, data, errors, deal)
    if history:
        _follow_history(place, history, errors)
    if deal is None:
        _default_placement(refs, place, errors)
    else:
        _changed_placement(refs, place, errors, deal)
    _check_pipeline(place, history, errors)
    if place.stage is not None:
        out["stage"] = place.stage
        out["pipeline"] = place.stage.pipeline
    elif deal is None and not any(e.field in {"pipeline_id", "stage_id"} for e in errors):
        errors.append(FieldError("stage_id", _("The pipeline has no open stage."), "required"))


def _clean_amount(
    refs: DealRefs,
    data: dict[str, Any],
    out: dict[str, Any],
    errors: list[FieldError],
    *,
    creating: bool,
) -> None:
    """``line_items``, and the ``amount`` the contract cleaned: the line items' total when only
    they are sent, zero for a new deal without either; a blank amount changes nothing."""
    if out.get("amount") is None:
        out.pop("amount", None)
    items = None
    if data.get("line_items") is not None:
        items = clean_line_items(refs.product, data["line_items"], errors)
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


def _clean_people(
    refs: DealRefs,
    data: dict[str, Any],
    out: dict[str, Any],
    errors: list[FieldError],
    *,
    creating: bool,
) -> None:
    """``owner_id`` (an active member; the actor by default), ``person_id`` and ``company_id``
    (live records of the workspace)."""
    actor = refs.actor
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


def _clean_labels(
    refs: DealRefs,
    data: dict[str, Any],
    out: dict[str, Any],
    errors: list[FieldError],
    *,
    deal: Deal | None,
) -> None:
    """The lost reason as sent (its note is a plain field), ``tags`` and ``custom_fields``
    (checked against the workspace's definitions)."""
    if "lost_reason_id" in data:
        out["lost_reason_id"] = clean_id(data["lost_reason_id"], "lost_reason_id", errors)
    if data.get("tags") is not None:
        out["tags"] = _clean_tags(data["tags"], errors)
    if deal is None or "custom_fields" in data:
        values, problems = clean_custom_fields(
            refs.actor,
            "deal",
            data.get("custom_fields"),
            current=deal.custom_fields if deal is not None else {},
            model=Deal,
            instance_pk=deal.pk if deal is not None else None,
            defs=refs.defs(),
        )
        errors.extend(problems)
        out["custom_fields"] = values


def _clean_created_at(
    data: dict[str, Any],
    out: dict[str, Any],
    errors: list[FieldError],
    *,
    history: list[tuple[Stage, datetime]] | None,
    now: datetime,
) -> None:
    """An imported deal's ``created_at``: not in the future, not after its first stage."""
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


def clean_deal(
    refs: DealRefs,
    data: dict[str, Any],
    *,
    deal: Deal | None = None,
    with_history: bool = False,
    now: datetime | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean deal input; a create when ``deal`` is None, else a partial update of ``deal``.

    Returns the cleaned fields and every field error, in the order of the steps: the plain
    fields (unknown keys refused by the contract's names), stage history (imports,
    ``with_history``), pipeline and stage, line items and amount, people, lost reason, tags and
    custom fields, the imported ``created_at``, then the lost reason a lost deal needs and the
    workspace's entry rules.
    """
    now = now or timezone.now()
    creating = deal is None
    errors: list[FieldError] = []
    # A blank currency is the workspace's (also on a change).
    out = DEAL.clean(
        data,
        errors,
        creating=creating,
        region=(refs.workspace.country or "BR").upper(),
        defaults={"currency": refs.workspace.default_currency},
    )
    history = None
    if with_history and data.get("stage_history") is not None:
        history = _clean_history(refs, data["stage_history"], errors, now)
    _clean_placement(refs, data, out, errors, deal=deal, history=history)
    out["history"] = history
    _clean_amount(refs, data, out, errors, creating=creating)
    _clean_people(refs, data, out, errors, creating=creating)
    _clean_labels(refs, data, out, errors, deal=deal)
    if with_history and data.get("created_at") is not None:
        _clean_created_at(data, out, errors, history=history, now=now)
    # a lost deal says why: a listed reason of its pipeline, a note for "other"
    check_lost(refs.reasons, out, errors, deal=deal)
    refs.rules.check(out, data=data, creating=creating, errors=errors)
    return out, errors
