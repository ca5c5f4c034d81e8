"""What the workspace's matcher learned, and what it finds for one record being typed or sent
to the API: reads for the duplicates page, ``/quality/duplicates/model``,
``/quality/duplicates/check`` and the new-record form's warning.

Stored figures (fractions, bits, rule names such as ``first3:last_name``) are rendered here in
the reader's language: rule parts and fields by name, reasons by
:func:`vinculo.quality.services.duplicates.reason_text`.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.contacts import custom_fields as cf
from vinculo.contacts import selectors as contact_selectors
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, ValidationFailed, raise_if_any
from vinculo.core.permissions import require
from vinculo.quality.matching.schema import COMPANY_COLUMNS, LEVELS, PERSON_COLUMNS, Kind
from vinculo.quality.models.duplicates import MatchModel, RecordType
from vinculo.quality.selectors import duplicates as selectors
from vinculo.quality.services.duplicates import field_label, reason_text
from vinculo.quality.services.matching import probable_matches

# A blocking rule's part "<prefix>:<field>" in words; "sound:names" has its own phrase.
PART_TEXTS = {
    "first3": gettext_lazy("first 3 letters of %(field)s"),
    "initial": gettext_lazy("initial of %(field)s"),
    "year": gettext_lazy("year of %(field)s"),
    "mailbox": gettext_lazy("%(field)s mailbox name"),
}
# Parts read from both name fields at once.
NAME_PART_TEXTS = {
    "sound:names": gettext_lazy("names that sound alike"),
    "sound:all": gettext_lazy("every word of the names sounds alike"),
    "starts:names": gettext_lazy("first 3 letters of both names"),
}
# Why the scan left a rule out.
WHY_TEXTS = {
    "rarely_filled": gettext_lazy("rarely filled"),
    "too_broad": gettext_lazy("too broad: too many comparisons"),
    "too_many_rules": gettext_lazy("too many rules"),
}
# The fields the check reads besides ``custom_fields`` (the matcher's columns).
CHECK_FIELDS = {
    RecordType.PERSON: frozenset(PERSON_COLUMNS) - {"id", "custom_fields"},
    RecordType.COMPANY: frozenset(COMPANY_COLUMNS) - {"id", "custom_fields"},
}


def check_object_type(object_type: str) -> str:
    """``object_type`` when the matcher knows it; refuses anything else, naming the field."""
    if object_type not in RecordType.values:
        raise ValidationFailed.field(
            "object_type",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(RecordType.values)},
            "invalid_choice",
        )
    return object_type


def custom_labels(actor: Actor, object_type: str) -> dict[str, str]:
    """The labels of the record type's custom fields by key (archived ones too: an old model
    may still name them)."""
    return {
        d.key: d.label
        for d in contact_selectors.custom_fields(
            actor, object_type=object_type, include_archived=True
        )
    }


def part_text(part: str, labels: dict[str, str] | None = None) -> str:
    """One part of a blocking rule in words: ``first3:last_name`` → "first 3 letters of last
    name", ``sound:names`` → "names that sound alike", a field key → its label (an unknown
    part as it is)."""
    if part in NAME_PART_TEXTS:
        return str(NAME_PART_TEXTS[part])
    prefix, sep, key = part.partition(":")
    if sep and prefix in PART_TEXTS:
        return str(PART_TEXTS[prefix]) % {"field": field_label(key, labels)}
    return field_label(part, labels)


def rule_text(name: str, labels: dict[str, str] | None = None) -> str:
    """A blocking rule (``birth_date+postal_code``) in words, its parts joined with " + "."""
    return " + ".join(part_text(part, labels) for part in name.split("+"))


def _bits(m: float, u: float) -> float:
    return round(math.log2(max(m, 1e-12) / max(u, 1e-12)), 1)


def _fields(stored: MatchModel, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each compared field: its fill rate and the weight (bits) of each agreement level."""
    params = stored.params or {}
    fill = (stored.report or {}).get("fill") or {}
    out = []
    for column, entry in enumerate(params.get("signature") or []):
        key, _sep, kind = str(entry).rpartition(":")
        try:
            levels = LEVELS[Kind(kind)]
            m, u = params["m"][column], params["u"][column]
        except (KeyError, IndexError, ValueError):
            continue
        weights = {level: _bits(m[i], u[i]) for i, level in enumerate(levels)}
        out.append(
            {
                "key": key,
                "label": field_label(key, labels),
                "kind": kind,
                "fill": fill.get(key),
                "weights": weights,
                "same": weights[levels[-1]],
                "different": weights[levels[0]],
            }
        )
    return out


def _rules(stored: MatchModel, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each blocking rule the scan tried: fill, comparisons, the share of likely matches it
    found (rules used) or why it was left out."""
    report = stored.report or {}
    # One share per rule used, in order; the scan leaves out the last rules that found no pair.
    shares = list((report.get("recall") or {}).get("shares") or [])
    out = []
    for entry in report.get("rules") or []:
        used = bool(entry.get("used"))
        share = (shares.pop(0) if shares else 0.0) if used else None
        why = entry.get("why") if not used else None
        out.append(
            {
                "rule": entry.get("rule", ""),
                "text": rule_text(str(entry.get("rule", "")), labels),
                "fill": entry.get("fill"),
                "comparisons": entry.get("comparisons"),
                "skipped_blocks": entry.get("skipped_blocks"),
                "used": used,
                "share": share,
                "why": why,
                "why_text": str(WHY_TEXTS.get(str(why), why or "")),
            }
        )
    return out


def _seconds(raw: Any) -> dict[str, float]:
    """The time of each stage of the scan (an older report may hold one total)."""
    if isinstance(raw, dict):
        return {str(k): float(v) for k, v in raw.items() if isinstance(v, int | float)}
    return {"total": float(raw)} if isinstance(raw, int | float) else {}


def learned(actor: Actor, object_type: str) -> dict[str, Any] | None:
    """What the last scan learned of the workspace's people or companies (None before the first
    scan, when the default weights are used): records read, pairs compared, estimated blocking
    recall, expected precision and recall at both thresholds, labels, per-field weights and the
    blocking rules. Refuses actors who cannot see records and an unknown ``object_type``."""
    require(actor, "records.view")
    check_object_type(object_type)
    stored = selectors.match_model(actor, object_type)
    if stored is None:
        return None
    labels = custom_labels(actor, object_type)
    report = stored.report or {}
    recall = report.get("recall") or {}
    thresholds = report.get("thresholds") or {}
    return {
        "object_type": object_type,
        "records": stored.records,
        "compared": stored.compared,
        "labels": stored.labels,
        "blocking_recall": recall.get("recall"),
        "expected_matches": recall.get("expected_matches"),
        "review_threshold": stored.review_threshold,
        "auto_merge_threshold": stored.auto_merge_threshold,
        "review_precision": thresholds.get("review_precision"),
        "review_recall": thresholds.get("review_recall"),
        "auto_merge_precision": thresholds.get("auto_merge_precision"),
        "auto_merge_recall": thresholds.get("auto_merge_recall"),
        "seconds": _seconds(report.get("seconds")),
        "learned_at": stored.updated_at,
        "fields": _fields(stored, labels),
        "rules": _rules(stored, labels),
    }


# --- the check of one record ----------------------------------------------------------------


def identifier_values(actor: Actor, object_type: str, raw: Any, *, strict: bool) -> dict[str, Any]:
    """The typed values of the record type's identifier custom fields, in their stored form
    (what the matcher compares). Other custom fields are ignored. ``strict`` (the API) refuses
    an unknown key or a value that does not validate, naming ``values.custom_fields.<key>``;
    otherwise (a form being typed) such a value matches nothing."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        if strict:
            raise ValidationFailed.field(
                "values.custom_fields", _("Send an object of field keys to values."), "invalid_type"
            )
        return {}
    defs = cf.definitions(actor, object_type)
    region = getattr(actor.workspace, "country", "") or "BR"
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for key, value in raw.items():
        definition = defs.get(key)
        if definition is None:
            if strict:
                errors.append(
                    FieldError(
                        f"values.custom_fields.{key}",
                        _("Unknown custom field %(key)r for %(object)s.")
                        % {"key": key, "object": object_type},
                        "unknown_field",
                    )
                )
            continue
        if not definition.identifier:
            continue
        try:
            cleaned = cf.clean_value(definition, value, region=region)
        except ValidationFailed as exc:
            if strict:
                errors.extend(
                    FieldError(f"values.{e.field}", e.message, e.code) for e in exc.errors
                )
            continue
        if cleaned not in (None, ""):
            out[key] = cleaned
    raise_if_any(errors)
    return out


def check_values(actor: Actor, object_type: str, values: dict[str, Any]) -> dict[str, Any]:
    """The values the API's check was sent, as the matcher reads them; refuses a key that is
    not a field the matcher compares (``values.<key>``), so a typo never goes unnoticed."""
    check_object_type(object_type)
    allowed = CHECK_FIELDS[RecordType(object_type)]
    unknown = sorted(k for k in values if k not in allowed and k != "custom_fields")
    raise_if_any(
        [
            FieldError(
                f"values.{key}",
                _("Unknown field %(key)r; send one of: %(fields)s.")
                % {"key": key, "fields": ", ".join(sorted(allowed))},
                "unknown_field",
            )
            for key in unknown
        ]
    )
    cleaned: dict[str, Any] = {
        key: value for key, value in values.items() if key in allowed and value is not None
    }
    cleaned["custom_fields"] = identifier_values(
        actor, object_type, values.get("custom_fields"), strict=True
    )
    return cleaned


def probable(
    actor: Actor,
    object_type: str,
    values: dict[str, Any],
    *,
    exclude_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Live records of the workspace the matcher finds probably the same customer as
    ``values`` (at or above the review threshold of the last scan, default weights before one),
    the ``limit`` most probable first: ``{"id", "record", "name", "probability", "reasons"}``,
    each reason with its text in the reader's language. Refuses actors who cannot see
    records."""
    require(actor, "records.view")
    check_object_type(object_type)
    found = probable_matches(actor, object_type, values, exclude_id=exclude_id)
    if limit is not None:
        found = found[:limit]
    if not found:
        return []
    records = selectors.records_by_id(actor, object_type, [m.record_id for m in found])
    labels = custom_labels(actor, object_type)
    out = []
    for match in found:
        record = records.get(match.record_id)
        if record is None:
            continue
        out.append(
            {
                "id": record.pk,
                "record": record,
                "name": str(record),
                "probability": round(match.probability, 4),
                "reasons": [
                    {
                        "field": reason.get("field"),
                        "level": reason.get("level"),
                        "bits": reason.get("bits"),
                        "text": reason_text(reason, labels),
                    }
                    for reason in match.reasons
                ],
            }
        )
    return out


def probable_typed(
    actor: Actor,
    object_type: str,
    values: dict[str, Any],
    *,
    exclude_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """:func:`probable` for what a form has typed: its custom fields as typed, the identifier
    ones compared in their stored form (a value that does not validate matches nothing). The
    new-record forms' duplicate warning asks this through :mod:`vinculo.core.duplicate_finders`."""
    typed = {
        **values,
        "custom_fields": identifier_values(
            actor, object_type, values.get("custom_fields"), strict=False
        ),
    }
    return probable(actor, object_type, typed, exclude_id=exclude_id, limit=limit)
