"""Entry rules: required fields, formats and uniqueness per field, enforced in every write path.

The services of people, companies and deals (UI forms, API, bulk endpoints, imports, automation
all go through them) hold one :class:`RuleChecker` per call (on the contacts ``Context`` / the
sales ``_Refs``), which loads the workspace's active rules once, lazily. Required and format
rules cost no query per row; unique rules cost one query for a single record and a few ``__in``
queries per batch, never one per row.

This module manages the rules (add, switch, delete) and is the rules' public face; the rest is
in, each importing only those before it: ``rule_fields`` (the field catalogue), ``rule_formats``
(the formats and safe patterns) and ``rule_checker`` (:class:`RuleChecker`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import (
    FieldError,
    NotFound,
    ValidationFailed,
    choice_error,
    raise_if_any,
)
from vinculo.core.permissions import require
from vinculo.quality.models import EntryRule, RuleFormat, RuleKind, RuleObject
from vinculo.quality.selectors.rules import violations
from vinculo.quality.services.rule_checker import (
    REQUIRED_MESSAGE,
    TAKEN_MESSAGES,
    RuleChecker,
    checker,
)
from vinculo.quality.services.rule_fields import (
    CUSTOM,
    DATE,
    EMAIL,
    FORMAT_TYPES,
    LONG_TEXT,
    NUMBER,
    PHONE,
    REF,
    STANDARD_FIELDS,
    TEXT,
    UNIQUE_TYPES,
    URL,
    RuleField,
    model_of,
    rule_fields,
    touched,
    value_of,
)
from vinculo.quality.services.rule_formats import (
    FORMAT_MESSAGES,
    FORMAT_TESTS,
    FREE_WEBMAIL,
    MAX_PATTERN,
    MAX_REGEX_INPUT,
    UFS,
    compile_pattern,
    format_test,
)

__all__ = [
    "CUSTOM",
    "DATE",
    "EMAIL",
    "FORMAT_MESSAGES",
    "FORMAT_TESTS",
    "FORMAT_TYPES",
    "FREE_WEBMAIL",
    "LONG_TEXT",
    "MAX_PATTERN",
    "MAX_REGEX_INPUT",
    "NUMBER",
    "PHONE",
    "REF",
    "REQUIRED_MESSAGE",
    "STANDARD_FIELDS",
    "TAKEN_MESSAGES",
    "TEXT",
    "UFS",
    "UNIQUE_TYPES",
    "URL",
    "RuleChecker",
    "RuleCreated",
    "RuleField",
    "check_entry_rule",
    "checker",
    "compile_pattern",
    "create_entry_rule",
    "delete_entry_rule",
    "format_test",
    "model_of",
    "rule_fields",
    "touched",
    "update_entry_rule",
    "value_of",
]


# --- managing rules -----------------------------------------------------------------------------


@dataclass
class RuleCreated:
    rule: EntryRule
    violations: int  # live records that break the new rule (kept as they are)
    list_url: str  # the filtered list of those records, "" when the filter language cannot say


def check_entry_rule(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a new rule; every bad field named at once. Refuses unknown object types, fields
    the object does not have (or archived custom fields), kinds and formats that do not apply
    to the field, an unsafe or invalid regular expression, and a rule that exists already."""
    errors: list[FieldError] = []
    object_type = data.get("object_type")
    if object_type not in RuleObject.values:
        errors.append(choice_error("object_type", object_type, RuleObject.values))
        raise ValidationFailed(_("Choose what the rule applies to."), errors=errors)
    fields = rule_fields(actor, object_type)
    name = str(data.get("field") or "").strip()
    target = fields.get(name)
    if target is None:
        errors.append(
            FieldError(
                "field",
                _("Unknown field %(field)r for %(object)s.")
                % {"field": name, "object": RuleObject(object_type).label},
                "unknown_field",
            )
        )
    kind = data.get("kind")
    fmt = str(data.get("format") or "")
    pattern = str(data.get("pattern") or "")
    if kind not in RuleKind.values:
        errors.append(choice_error("kind", kind, RuleKind.values))
    elif kind == RuleKind.FORMAT:
        if fmt not in RuleFormat.values:
            errors.append(choice_error("format", fmt, RuleFormat.values))
        elif target is not None and fmt not in target.formats:
            errors.append(
                FieldError(
                    "format",
                    _("The format %(format)s does not apply to %(field)s.")
                    % {"format": RuleFormat(fmt).label, "field": target.label},
                    "not_applicable",
                )
            )
        if fmt == RuleFormat.REGEX:
            try:
                compile_pattern(pattern)
            except ValidationFailed as exc:
                errors.extend(exc.errors)
    elif fmt:
        errors.append(FieldError("format", _("Only format rules take a format."), "invalid"))
    elif kind == RuleKind.UNIQUE and target is not None and not target.may_be_unique:
        errors.append(
            FieldError(
                "kind",
                _("%(field)s cannot be made unique.") % {"field": target.label},
                "not_applicable",
            )
        )
    if fmt != RuleFormat.REGEX:
        pattern = ""
    message = str(data.get("message") or "").strip()
    if len(message) > 200:
        errors.append(
            FieldError("message", _("At most %(n)s characters.") % {"n": 200}, "too_long")
        )
    if not errors and _exists(actor, object_type, name, kind, fmt, pattern):
        errors.append(FieldError("field", _("This rule exists already."), "unique"))
    if errors:
        raise_if_any(errors)
    return {
        "object_type": object_type,
        "field": name,
        "kind": kind,
        "format": fmt,
        "pattern": pattern,
        "message": message,
        "is_active": data.get("is_active") is not False,
    }


def _exists(actor: Actor, object_type: str, field: str, kind: Any, fmt: str, pattern: str) -> bool:
    return (
        EntryRule.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type, field=field, kind=kind, format=fmt, pattern=pattern)
        .exists()
    )


def create_entry_rule(*, actor: Actor, data: dict[str, Any]) -> RuleCreated:
    """Add an entry rule (``object_type``, ``field``, ``kind``, ``format``, ``pattern``,
    ``message``, ``is_active``) and say how many live records already break it (they are kept;
    the rule applies to what is written from now on). Refuses what :func:`check_entry_rule`
    refuses and roles without ``settings.manage``."""
    require(actor, "settings.manage")
    clean = check_entry_rule(actor, data)
    try:
        with transaction.atomic():
            rule = EntryRule.objects.create(
                workspace=actor.workspace, created_by=actor.user, **clean
            )
            audit.record(actor, "entry_rule.created", rule, changes=_changes_of(rule))
            events.emit("entry_rule.created", actor=actor, subject=rule, payload=_payload(rule))
    except IntegrityError:  # a twin created at the same moment
        raise ValidationFailed.field("field", _("This rule exists already."), "unique") from None
    found = violations(actor, rule)
    return RuleCreated(rule, found.count, found.list_url)


def update_entry_rule(*, actor: Actor, rule_id: int, data: dict[str, Any]) -> EntryRule:
    """Switch a rule on or off (``is_active``) or change its ``message``. What it governs
    cannot change: delete it and add another. Refuses other keys by name."""
    require(actor, "settings.manage")
    errors = [
        FieldError(str(k), _("Cannot be changed; delete the rule and add another."), "read_only")
        for k in data
        if k not in {"is_active", "message"}
    ]
    with transaction.atomic():
        rule = _rule_for_update(actor, rule_id)
        before = {"is_active": rule.is_active, "message": rule.message}
        if data.get("is_active") is not None:
            rule.is_active = bool(data["is_active"])
        if "message" in data:
            message = str(data["message"] or "").strip()
            if len(message) > 200:
                errors.append(
                    FieldError("message", _("At most %(n)s characters.") % {"n": 200}, "too_long")
                )
            rule.message = message
        if errors:
            raise ValidationFailed(
                "; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
            )
        changes = audit.diff(before, {"is_active": rule.is_active, "message": rule.message})
        if changes:
            rule.save(update_fields=["is_active", "message", "updated_at"])
            audit.record(actor, "entry_rule.updated", rule, changes=changes)
            events.emit(
                "entry_rule.updated",
                actor=actor,
                subject=rule,
                payload={**_payload(rule), "changed": sorted(changes)},
            )
    return rule


def delete_entry_rule(*, actor: Actor, rule_id: int) -> None:
    """Delete a rule; records written under it stay as they are."""
    require(actor, "settings.manage")
    with transaction.atomic():
        rule = _rule_for_update(actor, rule_id)
        audit.record(actor, "entry_rule.deleted", rule, changes=_changes_of(rule))
        events.emit("entry_rule.deleted", actor=actor, subject=rule, payload=_payload(rule))
        rule.delete()


def _rule_for_update(actor: Actor, rule_id: int) -> EntryRule:
    rule = (
        EntryRule.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=rule_id)
        .first()
    )
    if rule is None:
        raise NotFound(_("No entry rule with id %(id)s.") % {"id": rule_id})
    return rule


def _payload(rule: EntryRule) -> dict[str, Any]:
    return {
        "object_type": rule.object_type,
        "field": rule.field,
        "kind": rule.kind,
        "format": rule.format,
        "is_active": rule.is_active,
    }


def _changes_of(rule: EntryRule) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in {**_payload(rule), "pattern": rule.pattern}.items() if v}
