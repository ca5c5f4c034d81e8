"""Template helpers of the shell: field errors, dictionary look-ups, query strings."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def field_errors(errors: dict[str, list[str]] | None, name: str) -> str:
    """The service's messages for ``name`` under the field (the same text the API returns)."""
    messages = (errors or {}).get(name) or []
    if not messages:
        return ""
    return format_html(
        '<p class="field-error" role="alert">{}</p>',
        format_html_join(" ", "{}", ((m,) for m in messages)),
    )


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return getattr(mapping, str(key), None)


@register.simple_tag(takes_context=True)
def query(context: Any, **changes: Any) -> str:
    """The current query string with ``changes`` applied (``None`` removes a key)."""
    params: QueryDict = context["request"].GET.copy()
    params.pop("cursor", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
