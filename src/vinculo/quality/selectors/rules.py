"""Reads of entry rules: the rules of a workspace, one rule, and the records that break a rule."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ServiceError
from vinculo.core.filters import apply_filter
from vinculo.core.permissions import require
from vinculo.quality.models import EntryRule, RuleKind, RuleObject
from vinculo.quality.services.rule_fields import CUSTOM, RuleField, model_of, rule_fields, value_of
from vinculo.quality.services.rule_formats import format_test

LIST_URLS: dict[str, str] = {
    RuleObject.PERSON: "contacts:people",
    RuleObject.COMPANY: "contacts:companies",
    RuleObject.DEAL: "sales:list",
}
# Rule fields whose name in the filter language differs.
FILTER_NAMES = {"owner_id": "owner"}


def entry_rules(actor: Actor, *, object_type: str | None = None) -> QuerySet[EntryRule]:
    """The workspace's entry rules (of one object type when given). Refuses roles that cannot
    see records."""
    require(actor, "records.view")
    qs = EntryRule.objects.for_workspace(actor.workspace)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs.order_by("object_type", "field", "kind", "id")


def unique_fields(actor: Actor, object_type: str) -> set[str]:
    """The fields of ``object_type`` the workspace's active unique rules govern (the new-record
    forms' duplicate warning blocks on them; registered in :mod:`vinculo.core.entry_rules`)."""
    return set(
        entry_rules(actor, object_type=object_type)
        .filter(kind=RuleKind.UNIQUE, is_active=True)
        .values_list("field", flat=True)
    )


def get_entry_rule(actor: Actor, rule_id: int) -> EntryRule:
    """One rule of the actor's workspace; 404 for another workspace's rule."""
    rule = entry_rules(actor).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No entry rule with id %(id)s.") % {"id": rule_id})
    return rule


def fields_for_rules(actor: Actor, object_type: str) -> list[RuleField]:
    """The fields rules may govern on ``object_type``, standard then custom, for pickers."""
    require(actor, "records.view")
    return list(rule_fields(actor, object_type).values())


def field_labels(actor: Actor) -> dict[tuple[str, str], str]:
    """``(object_type, field) → label`` for every object type (archived custom fields keep
    their key as label)."""
    return {
        (object_type, f.name): f.label
        for object_type in RuleObject.values
        for f in rule_fields(actor, object_type).values()
    }


@dataclass
class Violations:
    count: int
    list_url: str  # "" when the filter language cannot express the rule


def violations(actor: Actor, rule: EntryRule) -> Violations:
    """How many live records of the workspace break ``rule`` now, and (for required rules)
    a link to the list filtered on them. Values are read in chunks; nothing is loaded whole."""
    require(actor, "records.view")
    model = model_of(rule.object_type)
    live = model._default_manager.filter(workspace=actor.workspace, deleted_at__isnull=True)
    if rule.kind == RuleKind.REQUIRED:
        tree = {"field": FILTER_NAMES.get(rule.field, rule.field), "op": "is_empty"}
        try:
            count = apply_filter(live, rule.object_type, tree, actor=actor).count()
        except (ServiceError, ValueError):
            pass  # not a filterable field: counted below, without a link
        else:
            url = reverse(LIST_URLS[rule.object_type]) + "?filter=" + quote(json.dumps(tree))
            return Violations(count, url)
    column = "custom_fields" if rule.field.startswith(CUSTOM) else rule.field
    values = (
        value_of({column: row}, rule.field)
        for row in live.values_list(column, flat=True).iterator(chunk_size=2000)
    )
    if rule.kind == RuleKind.REQUIRED:
        return Violations(sum(1 for v in values if v in (None, "", [], {})), "")
    if rule.kind == RuleKind.FORMAT:
        test = format_test(rule)
        return Violations(sum(1 for v in values if isinstance(v, str) and v and not test(v)), "")
    seen = Counter(v for v in values if v not in (None, "") and not isinstance(v, list | dict))
    return Violations(sum(n for n in seen.values() if n > 1), "")


def describe(rule: EntryRule, labels: dict[tuple[str, str], str]) -> dict[str, Any]:
    """A rule as the screens and the API show it."""
    return {
        "id": rule.pk,
        "object_type": rule.object_type,
        "field": rule.field,
        "field_label": labels.get((rule.object_type, rule.field), rule.field),
        "kind": rule.kind,
        "format": rule.format,
        "pattern": rule.pattern,
        "message": rule.message,
        "is_active": rule.is_active,
        "created_at": rule.created_at,
        "updated_at": rule.updated_at,
    }
