"""Entry rules: required fields, formats and uniqueness per field, enforced in every write path.

The services of people, companies and deals (UI forms, API, bulk endpoints, imports, automation
all go through them) hold one :class:`RuleChecker` per call (on the contacts ``Context`` / the
sales ``_Refs``), which loads the workspace's active rules once, lazily. Required and format
rules cost no query per row; unique rules cost one query for a single record and a few ``__in``
queries per batch, never one per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.bulk import RowError, live_ids_by_value
from vinculo.core.errors import (
    FieldError,
    NotFound,
    ValidationFailed,
    choice_error,
    raise_if_any,
)
from vinculo.core.events import register_event_type
from vinculo.core.field_labels import field_label, field_noun
from vinculo.quality.models import EntryRule, RuleFormat, RuleKind, RuleObject
from vinculo.workspaces.permissions import require

T = TypeVar("T")

for _name, _description in [
    ("entry_rule.created", gettext_noop("An entry rule was added.")),
    (
        "entry_rule.updated",
        gettext_noop("An entry rule was switched on or off, or its message changed."),
    ),
    ("entry_rule.deleted", gettext_noop("An entry rule was deleted.")),
]:
    register_event_type(_name, _description)

CUSTOM = "custom_fields."
MAX_PATTERN = 200
# A regular expression only ever sees this many characters: with nested repetition refused at
# save, this bounds the time one value can take.
MAX_REGEX_INPUT = 500

UFS = frozenset(
    (
        "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
        "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
    )
)  # fmt: skip
FREE_WEBMAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "hotmail.com", "hotmail.com.br", "outlook.com",
        "outlook.com.br", "live.com", "live.com.br", "msn.com", "yahoo.com", "yahoo.com.br",
        "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "bol.com.br", "uol.com.br",
        "terra.com.br", "ig.com.br", "globo.com", "globomail.com", "r7.com", "oi.com.br",
        "zipmail.com.br", "protonmail.com", "proton.me", "gmx.com", "mail.com", "yandex.com",
    }
)  # fmt: skip
_CEP = re.compile(r"\d{5}-\d{3}")
_MOBILE_BR = re.compile(r"\+55[1-9][0-9]9\d{8}")
# A group holding a repetition, itself repeated: the shape of catastrophic backtracking.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*}|]|\{\d)(?:[^()\\]|\\.)*\)\s*[+*{?]")

# Field types as the rules see them: which formats apply and which fields may be unique.
TEXT, LONG_TEXT, EMAIL, PHONE, URL, NUMBER, DATE, REF = (
    "text", "long_text", "email", "phone", "url", "number", "date", "ref",
)  # fmt: skip
FORMAT_TYPES: dict[str, frozenset[str]] = {
    RuleFormat.UPPERCASE: frozenset({TEXT}),
    RuleFormat.DIGITS_ONLY: frozenset({TEXT}),
    RuleFormat.BR_STATE: frozenset({TEXT}),
    RuleFormat.CEP: frozenset({TEXT}),
    RuleFormat.MOBILE_BR: frozenset({PHONE}),
    RuleFormat.CORPORATE_EMAIL: frozenset({EMAIL}),
    RuleFormat.REGEX: frozenset({TEXT, EMAIL, PHONE, URL}),
}
UNIQUE_TYPES = frozenset({TEXT, EMAIL, PHONE, URL, NUMBER})
_CUSTOM_TYPES = {
    "text": TEXT, "long_text": LONG_TEXT, "number": NUMBER, "money": NUMBER, "date": DATE,
    "datetime": DATE, "boolean": REF, "choice": REF, "multi_choice": REF, "email": EMAIL,
    "phone": PHONE, "url": URL,
}  # fmt: skip
_ADDRESS = {
    "street": TEXT, "number": TEXT, "complement": TEXT, "district": TEXT, "city": TEXT,
    "state": TEXT, "postal_code": TEXT, "country": TEXT,
}  # fmt: skip
STANDARD_FIELDS: dict[str, dict[str, str]] = {
    RuleObject.PERSON: {
        "first_name": TEXT, "last_name": TEXT, "email": EMAIL, "phone": PHONE,
        "mobile_phone": PHONE, "cpf": TEXT, "job_title": TEXT, "birth_date": DATE,
        "gender": TEXT, "preferred_channel": REF, "interests": LONG_TEXT, "source": TEXT,
        "owner_id": REF, "lifecycle_stage": REF, **_ADDRESS,
    },
    RuleObject.COMPANY: {
        "name": TEXT, "legal_name": TEXT, "cnpj": TEXT, "domain": TEXT, "website": URL,
        "industry": TEXT, "employees": NUMBER, "annual_revenue": NUMBER, "email": EMAIL,
        "phone": PHONE, "description": LONG_TEXT, "source": TEXT, "owner_id": REF,
        "lifecycle_stage": REF, **_ADDRESS,
    },
    RuleObject.DEAL: {
        "title": TEXT, "source": TEXT, "description": LONG_TEXT, "expected_close_date": DATE,
        "owner_id": REF, "person_id": REF, "company_id": REF,
    },
}  # fmt: skip

REQUIRED_MESSAGE = gettext_lazy("Required by your workspace's entry rules.")
FORMAT_MESSAGES: dict[str, Any] = {
    RuleFormat.UPPERCASE: gettext_lazy("Must be in capital letters."),
    RuleFormat.DIGITS_ONLY: gettext_lazy("Must contain digits only."),
    RuleFormat.BR_STATE: gettext_lazy("Must be a Brazilian state code (UF)."),
    RuleFormat.CEP: gettext_lazy("Must be a CEP like 00000-000."),
    RuleFormat.MOBILE_BR: gettext_lazy("Must be a Brazilian mobile number (DDD and 9 digits)."),
    RuleFormat.CORPORATE_EMAIL: gettext_lazy(
        "Must be a corporate email address, not a free webmail one."
    ),
    RuleFormat.REGEX: gettext_lazy("Does not match the pattern your workspace requires."),
}
TAKEN_MESSAGES: dict[str, Any] = {
    RuleObject.PERSON: gettext_lazy("Another person already has this %(field)s (id %(id)s)."),
    RuleObject.COMPANY: gettext_lazy("Another company already has this %(field)s (id %(id)s)."),
    RuleObject.DEAL: gettext_lazy("Another deal already has this %(field)s (id %(id)s)."),
}


# --- the field catalogue ----------------------------------------------------------------------


def model_of(object_type: str) -> type[Model]:
    """The model whose rows an object type's rules govern."""
    if object_type == RuleObject.DEAL:
        from vinculo.sales.models import Deal

        return Deal
    from vinculo.contacts.models import Company, Person

    return Person if object_type == RuleObject.PERSON else Company


@dataclass(frozen=True)
class RuleField:
    """A field a rule may govern: its name, what people call it and its type."""

    name: str
    label: str
    type: str

    @property
    def formats(self) -> list[str]:
        return [f for f, types in FORMAT_TYPES.items() if self.type in types]

    @property
    def may_be_unique(self) -> bool:
        return self.type in UNIQUE_TYPES


def rule_fields(actor: Actor, object_type: str) -> dict[str, RuleField]:
    """The standard and (live) custom fields of ``object_type`` that rules may govern."""
    from vinculo.contacts.custom_fields import definitions

    fields = {
        name: RuleField(name, field_label(object_type, name), kind)
        for name, kind in STANDARD_FIELDS.get(object_type, {}).items()
    }
    for key, definition in definitions(actor, object_type).items():
        kind = _CUSTOM_TYPES.get(definition.field_type, REF)
        fields[CUSTOM + key] = RuleField(CUSTOM + key, definition.label, kind)
    return fields


# --- formats ----------------------------------------------------------------------------------


def _is_corporate(value: str) -> bool:
    return value.rpartition("@")[2].lower() not in FREE_WEBMAIL


FORMAT_TESTS: dict[str, Callable[[str], bool]] = {
    RuleFormat.UPPERCASE: lambda v: v == v.upper(),
    RuleFormat.DIGITS_ONLY: lambda v: v.isascii() and v.isdigit(),
    RuleFormat.BR_STATE: lambda v: v in UFS,
    RuleFormat.CEP: lambda v: _CEP.fullmatch(v) is not None,
    RuleFormat.MOBILE_BR: lambda v: _MOBILE_BR.fullmatch(v) is not None,
    RuleFormat.CORPORATE_EMAIL: _is_corporate,
}


def compile_pattern(pattern: str, field: str = "pattern") -> re.Pattern[str]:
    """A rule's regular expression, refused when too long, invalid or prone to catastrophic
    backtracking (a repeated group that itself repeats, like ``(a+)+``)."""
    if not pattern:
        raise ValidationFailed.field(field, _("Give the regular expression."), "required")
    if len(pattern) > MAX_PATTERN:
        raise ValidationFailed.field(
            field, _("At most %(n)s characters.") % {"n": MAX_PATTERN}, "too_long"
        )
    if _NESTED_REPEAT.search(pattern):
        raise ValidationFailed.field(
            field,
            _("Nested repetition such as (a+)+ can take forever to check; simplify the pattern."),
            "unsafe_pattern",
        )
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValidationFailed.field(
            field, _("Not a valid regular expression: %(why)s") % {"why": exc}, "invalid_pattern"
        ) from None


def format_test(rule: EntryRule) -> Callable[[str], bool]:
    """The function telling whether a non-empty value follows ``rule``'s format."""
    if rule.format != RuleFormat.REGEX:
        return FORMAT_TESTS[rule.format]
    compiled = compile_pattern(rule.pattern)
    return lambda v: len(v) <= MAX_REGEX_INPUT and compiled.fullmatch(v) is not None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def value_of(values: dict[str, Any], field: str) -> Any:
    """The value of ``field`` in cleaned input (custom fields live in ``custom_fields``)."""
    if field.startswith(CUSTOM):
        return (values.get("custom_fields") or {}).get(field[len(CUSTOM) :])
    return values.get(field)


def touched(data: dict[str, Any], field: str) -> bool:
    """Whether the raw input (a patch) sets or clears ``field``."""
    if field.startswith(CUSTOM):
        custom = data.get("custom_fields")
        return isinstance(custom, dict) and field[len(CUSTOM) :] in custom
    return field in data


# --- the checker ------------------------------------------------------------------------------


class RuleChecker:
    """The active rules of one object type of a workspace, loaded once (on first use) for a
    whole call: a single record or a 100,000-row import."""

    def __init__(self, actor: Actor, object_type: str) -> None:
        self.actor = actor
        self.object_type = object_type
        self._loaded = False
        self.required: list[EntryRule] = []
        self.formats: list[tuple[EntryRule, Callable[[str], bool]]] = []
        self.unique: list[EntryRule] = []
        self.labels: dict[str, str] = {}

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        rules = list(
            EntryRule.objects.for_workspace(self.actor.workspace).filter(
                object_type=self.object_type, is_active=True
            )
        )
        if not rules:
            return
        live = None
        if any(r.field.startswith(CUSTOM) for r in rules):
            from vinculo.contacts.custom_fields import definitions

            live = {
                CUSTOM + k: d.label for k, d in definitions(self.actor, self.object_type).items()
            }
        for rule in rules:
            if rule.field.startswith(CUSTOM):
                if live is None or rule.field not in live:
                    continue  # the custom field was archived: its rules sleep with it
                self.labels[rule.field] = live[rule.field]
            if rule.kind == RuleKind.REQUIRED:
                self.required.append(rule)
            elif rule.kind == RuleKind.FORMAT:
                self.formats.append((rule, format_test(rule)))
            elif rule.kind == RuleKind.UNIQUE:
                self.unique.append(rule)

    def _label(self, field: str) -> str:
        if field not in self.labels:
            self.labels[field] = field_noun(self.object_type, field)
        return self.labels[field]

    def check(
        self,
        values: dict[str, Any],
        *,
        data: dict[str, Any],
        creating: bool,
        errors: list[FieldError],
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Append to ``errors`` the required and format violations of one cleaned row (no
        query). On update only the fields the patch touches are checked; fields that already
        failed validation are not reported twice."""
        self._load()
        if not self.required and not self.formats:
            return
        failed = {e.field for e in errors} if errors else set()
        for rule in self.required:
            field = rule.field
            if field in failed or not (creating or touched(data, field)):
                continue
            if _empty(self._current(values, field, creating, extra)):
                message = rule.message or str(REQUIRED_MESSAGE)
                errors.append(FieldError(field, message, "required"))
                failed.add(field)
        for rule, test in self.formats:
            field = rule.field
            if field in failed or not (creating or touched(data, field)):
                continue
            value = self._current(values, field, creating, extra)
            if isinstance(value, str) and value and not test(value):
                message = rule.message or str(FORMAT_MESSAGES[rule.format])
                errors.append(FieldError(field, message, "format"))
                failed.add(field)

    def _current(
        self, values: dict[str, Any], field: str, creating: bool, extra: dict[str, Any] | None
    ) -> Any:
        if extra and field in extra:
            return extra[field]
        if field == "owner_id" and creating and "owner_id" not in values:
            # Services make the actor the owner when none is given.
            return self.actor.user.pk if self.actor.user is not None else None
        return value_of(values, field)

    def _unique_values(self, values: dict[str, Any], data: dict[str, Any] | None) -> dict[str, Any]:
        wanted = {}
        for rule in self.unique:
            if data is not None and not touched(data, rule.field):
                continue
            value = value_of(values, rule.field)
            if not _empty(value) and not isinstance(value, list | dict):
                wanted[rule.field] = value
        return wanted

    def _live(self) -> Any:
        model = model_of(self.object_type)
        return model._default_manager.filter(
            workspace=self.actor.workspace, deleted_at__isnull=True
        )

    def _taken(self, field: str, record_id: int) -> FieldError:
        rule = next(r for r in self.unique if r.field == field)
        message = rule.message or str(TAKEN_MESSAGES[self.object_type]) % {
            "field": self._label(field),
            "id": record_id,
        }
        return FieldError(field, message, "unique")

    def check_unique(
        self,
        values: dict[str, Any],
        *,
        data: dict[str, Any] | None = None,
        exclude_pk: int | None = None,
    ) -> None:
        """Refuse (422 naming each field) values of unique rules that a live record of the
        workspace already has: one query for every unique rule of the record. With ``data`` (a
        patch) only the fields it touches are checked."""
        self._load()
        if not self.unique:
            return
        wanted = self._unique_values(values, data)
        if not wanted:
            return
        condition = Q()
        for field, value in wanted.items():
            condition |= Q(**{_lookup(field): value})
        clashes = self._live().filter(condition)
        if exclude_pk is not None:
            clashes = clashes.exclude(pk=exclude_pk)
        columns = sorted({_column(f) for f in wanted})
        errors: dict[str, FieldError] = {}
        # Unordered (an ORDER BY pk would walk the primary key instead of the column's index).
        for row in sorted(clashes.order_by().values("pk", *columns)[:50], key=lambda r: r["pk"]):
            for field, value in wanted.items():
                if field not in errors and value_of(row, field) == value:
                    errors[field] = self._taken(field, row["pk"])
        if errors:
            found = list(errors.values())
            raise ValidationFailed(
                "; ".join(f"{e.field}: {e.message}" for e in found), errors=found
            )

    def keep_unique(
        self,
        good: list[tuple[int, T]],
        refused: list[RowError],
        values_of: Callable[[T], dict[str, Any]],
    ) -> list[tuple[int, T]]:
        """The rows of a batch that break no unique rule, in order; each other row is added to
        ``refused`` (kept sorted by index) with the field that clashes, with an earlier row of
        the batch or with a live record. A few ``__in`` queries per field for the batch."""
        self._load()
        if not self.unique or not good:
            return good
        bad: dict[int, list[FieldError]] = {}
        for rule in self.unique:
            field = rule.field
            first_row: dict[Any, int] = {}
            for index, row in good:
                if index in bad:
                    continue
                value = value_of(values_of(row), field)
                if _empty(value) or isinstance(value, list | dict):
                    continue
                if value in first_row:
                    message = rule.message or _("Same %(field)s as row %(row)s.") % {
                        "field": self._label(field),
                        "row": first_row[value],
                    }
                    bad[index] = [FieldError(field, message, "unique")]
                else:
                    first_row[value] = index
            taken = self._existing(field, list(first_row))
            for value, index in first_row.items():
                if value in taken and index not in bad:
                    bad[index] = [self._taken(field, taken[value])]
        if not bad:
            return good
        refused.extend(RowError(index, errors) for index, errors in bad.items())
        refused.sort(key=lambda e: e.index)
        return [(index, row) for index, row in good if index not in bad]

    def _existing(self, field: str, values: list[Any]) -> dict[Any, int]:
        found: dict[Any, int] = {}
        column = _column(field)
        if field.startswith(CUSTOM):
            for start in range(0, len(values), 900):
                chunk = values[start : start + 900]
                rows = self._live().filter(**{f"{_lookup(field)}__in": chunk}).values("pk", column)
                for row in rows.order_by("pk"):
                    found.setdefault(value_of(row, field), row["pk"])
            return found
        return live_ids_by_value(model_of(self.object_type), self.actor.workspace.pk, field, values)


def _lookup(field: str) -> str:
    return "custom_fields__" + field[len(CUSTOM) :] if field.startswith(CUSTOM) else field


def _column(field: str) -> str:
    return "custom_fields" if field.startswith(CUSTOM) else field


def checker(actor: Actor, object_type: str) -> RuleChecker:
    """The rule checker for one write call (loads nothing until first used)."""
    return RuleChecker(actor, object_type)


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
    from vinculo.quality.selectors.rules import violations

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
