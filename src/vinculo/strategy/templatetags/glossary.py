"""``{% glossary_tip %}``: a word shown with the workspace's definition of it as an accessible
tooltip (``<abbr title="…">``, no script), wherever a lifecycle stage, a KPI or a goal is named.

Any app's template may ``{% load glossary %}`` (a template library is found by name, not
imported, so the contacts and insights templates use it without depending on strategy)::

    {% glossary_tip stage.name stage=stage %}      a lifecycle stage (object or key)
    {% glossary_tip kpi.name kpi=kpi.key %}        a KPI
    {% glossary_tip "churn" %}                     any term, matched folded
    <option title="{% glossary_definition stage=s %}">   the definition alone, as text


The workspace's glossary is read once per request (:func:`request_glossary`); a stage without
a term shows its own definition; a word without either is shown as it is."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html

from vinculo.strategy.glossary_selectors import request_glossary

register = template.Library()


def _definition(context: template.Context, text: Any, stage: Any, kpi: str) -> tuple[str, str]:
    """The definition of the word (or stage, or KPI) and the key of the term giving it."""
    stage_key = stage if isinstance(stage, str) else getattr(stage, "key", "")
    found = request_glossary(context.get("request"))
    term = found.find(str(text), stage=stage_key, kpi=kpi or "") if found else None
    if term is not None and term.definition:
        return " ".join(term.definition.split()), term.term_key
    if not isinstance(stage, str):  # a stage without a term: its own definition
        return " ".join((getattr(stage, "description", "") or "").split()), stage_key
    return "", ""


@register.simple_tag(takes_context=True)
def glossary_definition(
    context: template.Context, text: Any = "", stage: Any = "", kpi: str = ""
) -> str:
    """Only the definition, as text (escaped by the template): for a ``title`` attribute where
    markup cannot go (an ``<option>``)."""
    return _definition(context, text, stage, kpi)[0]


@register.simple_tag(takes_context=True)
def glossary_tip(context: template.Context, text: Any, stage: Any = "", kpi: str = "") -> str:
    definition, key = _definition(context, text, stage, kpi)
    if not definition:
        return conditional_escape(text)
    return format_html(
        '<abbr class="glossary-tip" title="{}" data-glossary="{}">{}</abbr>', definition, key, text
    )
