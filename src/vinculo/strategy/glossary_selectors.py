"""Reads of the glossary: the terms, one term, and the workspace's glossary as the tooltips read
it (cached on the request: one query however many tooltips a page shows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.strategy.models import GlossaryTerm


def terms(actor: Actor, *, q: str | None = None) -> QuerySet[GlossaryTerm]:
    """The workspace's terms in alphabetical order (of their folded key); ``q`` narrows to the
    terms whose folded key contains it."""
    require(actor, "records.view")
    qs = GlossaryTerm.objects.for_workspace(actor.workspace).order_by("term_key", "pk")
    if q and q.strip():
        qs = qs.filter(term_key__contains=fold(q))
    return qs


def get_term(actor: Actor, term_id: int) -> GlossaryTerm:
    term = terms(actor).filter(pk=term_id).first()
    if term is None:
        raise NotFound(_("No glossary term with id %(id)s.") % {"id": term_id})
    return term


@dataclass
class Glossary:
    """The workspace's definitions by what they define: a lifecycle stage key, a KPI key, or a
    term (folded). The first term (alphabetically) wins when two define the same thing."""

    by_stage: dict[str, GlossaryTerm] = field(default_factory=dict)
    by_kpi: dict[str, GlossaryTerm] = field(default_factory=dict)
    by_term: dict[str, GlossaryTerm] = field(default_factory=dict)

    def find(self, text: str = "", *, stage: str = "", kpi: str = "") -> GlossaryTerm | None:
        """The term defining ``stage`` or ``kpi`` (when given), else the one spelled ``text``."""
        if stage and stage in self.by_stage:
            return self.by_stage[stage]
        if kpi and kpi in self.by_kpi:
            return self.by_kpi[kpi]
        return self.by_term.get(fold(text)) if text else None


def glossary(workspace: Any) -> Glossary:
    """Every term of ``workspace``, indexed (one query). Tooltips read it without a permission
    check: whoever sees a page of the workspace may read what its words mean."""
    found = Glossary()
    for term in GlossaryTerm.objects.for_workspace(workspace).order_by("term_key", "pk"):
        found.by_term.setdefault(term.term_key, term)
        if term.lifecycle_stage:
            found.by_stage.setdefault(term.lifecycle_stage, term)
        if term.kpi_key:
            found.by_kpi.setdefault(term.kpi_key, term)
    return found


_CACHE_ATTRIBUTE = "_vinculo_glossary"


def request_glossary(request: Any) -> Glossary | None:
    """The glossary of the request's workspace, read once per request (None outside one)."""
    if request is None:
        return None
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    actor = getattr(request, "actor", None)
    if actor is None:
        return None
    found = glossary(actor.workspace)
    setattr(request, _CACHE_ATTRIBUTE, found)
    return found
