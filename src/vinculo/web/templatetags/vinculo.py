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


@register.filter
def cell(record: Any, column: Any) -> str:
    """The text of a plain table cell: ``record``'s attribute ``column.key`` (or its custom field
    ``column.json_key``), with dates localised, lists joined, choices by label and yes/no."""
    from datetime import date, datetime

    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    if getattr(column, "json_key", ""):
        value = (getattr(record, "custom_fields", None) or {}).get(column.json_key)
    else:
        value = getattr(record, column.key, None)
    labels = {str(v): str(label) for v, label in getattr(column, "choices", ()) or ()}
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if getattr(column, "field_type", "") == "date" and isinstance(value, str):
        from django.utils.dateparse import parse_date

        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    return labels.get(str(value), str(value))


@register.filter
def joined(values: Any, separator: str = ",") -> str:
    """``values`` joined with ``separator`` (for ``columns=a,b,c``)."""
    return separator.join(str(v) for v in values or ())
