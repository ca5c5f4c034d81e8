"""Writes of the glossary: add, change and remove terms (each input checked field by field; a
term is unique in its workspace by its folded spelling), and the default terms every new
workspace starts with, in its language."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from vinculo.contacts.models import LifecycleStage
from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, collect, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.core.validators import clean_long_text, clean_name
from vinculo.strategy import experience_cleaning as cleaning
from vinculo.strategy.glossary_defaults import DEFAULT_TERMS
from vinculo.strategy.glossary_selectors import get_term
from vinculo.strategy.models import GlossaryTerm

FIELDS = ("term", "definition", "lifecycle_stage", "kpi_key")
MAX_DEFINITION = 2000
MAX_TERMS = 500


def _unique_error() -> FieldError:
    return FieldError("term", _("The glossary already has this term."), "unique")


def clean_term(actor: Actor, data: dict[str, Any], *, term_id: int | None = None) -> dict:
    """The term's columns from ``data`` (every field given), or ``ValidationFailed`` naming each
    bad field: the term required and new to the workspace (compared folded: "Churn" and
    "CHURN" are one term), a definition, a stage key of the workspace, a registered KPI."""
    errors: list[FieldError] = []
    term = collect(errors, clean_name, data.get("term"), "term", required=True, max_length=80)
    definition = collect(
        errors, clean_long_text, data.get("definition"), "definition", max_length=MAX_DEFINITION
    )
    if definition == "":
        errors.append(FieldError("definition", _("This field is required."), "required"))
    stage = collect(
        errors, clean_name, data.get("lifecycle_stage"), "lifecycle_stage", max_length=40
    )
    if stage and not LifecycleStage.objects.for_workspace(actor.workspace).filter(key=stage):
        errors.append(
            FieldError("lifecycle_stage", _("No lifecycle stage has this key."), "unknown")
        )
    kpi_key = cleaning.kpi_key(errors, "kpi_key", data.get("kpi_key"))
    term_key = fold(term) if term else ""
    if term_key:
        taken = GlossaryTerm.objects.for_workspace(actor.workspace).filter(term_key=term_key)
        if term_id is not None:
            taken = taken.exclude(pk=term_id)
        if taken.exists():
            errors.append(_unique_error())
    raise_if_any(errors)
    return {
        "term": term,
        "term_key": term_key,
        "definition": definition,
        "lifecycle_stage": stage or "",
        "kpi_key": kpi_key,
    }


def _saved(term: GlossaryTerm) -> GlossaryTerm:
    """Save ``term``; a race past the check is still the 422 of a duplicate."""
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError:
        raise_if_any([_unique_error()])
    return term


def create_term(*, actor: Actor, data: dict[str, Any]) -> GlossaryTerm:
    require(actor, "strategy.manage")
    cleaned = clean_term(actor, data)
    if GlossaryTerm.objects.for_workspace(actor.workspace).count() >= MAX_TERMS:
        raise_if_any([FieldError("term", _("At most %(n)s terms.") % {"n": MAX_TERMS}, "too_many")])
    with transaction.atomic():
        term = _saved(GlossaryTerm(workspace=actor.workspace, created_by=actor.user, **cleaned))
        audit.record(actor, "glossary_term.created", term)
    return term


def update_term(*, actor: Actor, term_id: int, data: dict[str, Any]) -> GlossaryTerm:
    """Change a term: fields left out keep their value."""
    require(actor, "strategy.manage")
    with transaction.atomic():
        term = get_term(actor, term_id)
        merged = {f: getattr(term, f) for f in FIELDS} | {
            k: v for k, v in data.items() if k in FIELDS
        }
        for name, value in clean_term(actor, merged, term_id=term.pk).items():
            setattr(term, name, value)
        _saved(term)
        audit.record(actor, "glossary_term.updated", term)
    return term


def delete_term(*, actor: Actor, term_id: int) -> None:
    require(actor, "strategy.manage")
    with transaction.atomic():
        term = get_term(actor, term_id)
        audit.record(actor, "glossary_term.deleted", term)
        term.delete()


def make_default_glossary(actor: Actor) -> list[GlossaryTerm]:
    """The default terms (lead, MQL, SQL, customer, churn, CLV, CAC, NPS…) in the workspace's
    language; a term already there (by its folded spelling) is left as it is. Made with every
    workspace (:mod:`vinculo.core.workspace_defaults`), never on a read."""
    ws = actor.workspace
    have = set(GlossaryTerm.objects.for_workspace(ws).values_list("term_key", flat=True))
    rows = []
    with translation.override(ws.locale or None):
        for term, definition, stage, kpi_key in DEFAULT_TERMS:
            worded = _(term)
            key = fold(worded)
            if key in have:
                continue
            have.add(key)
            rows.append(
                GlossaryTerm(
                    workspace=ws,
                    term=worded,
                    term_key=key,
                    definition=_(definition),
                    lifecycle_stage=stage,
                    kpi_key=kpi_key,
                )
            )
    return GlossaryTerm.objects.bulk_create(rows)
