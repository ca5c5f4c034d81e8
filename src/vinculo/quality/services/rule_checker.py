"""Entry rules, the checker: the active rules of one object type loaded once per write call and
applied to a single record (required, format, unique) or a whole batch (unique clashes within
the batch and with live records, a few ``__in`` queries per field)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.contacts.custom_fields import definitions
from vinculo.core.actor import Actor
from vinculo.core.bulk import RowError, live_ids_by_value
from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.field_labels import field_noun
from vinculo.quality.models import EntryRule, RuleKind, RuleObject
from vinculo.quality.services.rule_fields import CUSTOM, model_of, touched, value_of
from vinculo.quality.services.rule_formats import FORMAT_MESSAGES, format_test

T = TypeVar("T")


REQUIRED_MESSAGE = gettext_lazy("Required by your workspace's entry rules.")


TAKEN_MESSAGES: dict[str, Any] = {
    RuleObject.PERSON: gettext_lazy("Another person already has this %(field)s (id %(id)s)."),
    RuleObject.COMPANY: gettext_lazy("Another company already has this %(field)s (id %(id)s)."),
    RuleObject.DEAL: gettext_lazy("Another deal already has this %(field)s (id %(id)s)."),
}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


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
