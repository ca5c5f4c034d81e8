"""Template helpers of the shell: field errors, dictionary look-ups, query strings, and the
one filter per kind of value (money, number, percent, phone, CPF, CNPJ, days, duration) over
:mod:`vinculo.core.formats`. Dates use Django's ``date`` filter with the locale's formats
(``SHORT_DATE_FORMAT``, ``SHORT_DATETIME_FORMAT``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from vinculo.core.formats import (
    format_cnpj,
    format_cpf,
    format_days,
    format_duration,
    format_field,
    format_money,
    format_number,
    format_percent,
    format_phone,
)

register = template.Library()

register.filter("money", format_money)  # {{ deal.amount|money:deal.currency }}
register.filter("percent", format_percent)  # {{ stage.probability|percent }}
register.filter("cpf", format_cpf)
register.filter("cnpj", format_cnpj)
register.filter("days", format_days)  # {{ deal.days_in_stage|days }}: "today", "3 days"
register.filter("duration", format_duration)  # {{ seconds|duration }}


@register.filter
def number(value: Any, places: Any = None) -> str:
    """``{{ n|number }}`` (without trailing zeros: ``10.000`` → ``10``), ``{{ x|number:2 }}``:
    the reader's separators."""
    if places in (None, ""):
        return format_number(value, trim=True)
    return format_number(value, int(places))


@register.filter
def phone(value: Any, region: str | None = None) -> str:
    """``{{ p.phone|phone }}``: national for Brazilian numbers (or ``region``'s), else
    international; pass the workspace's country where the text goes back into a form."""
    return format_phone(value, region or "BR")


@register.filter
def field_text(value: Any, key: str) -> str:
    """The value of a record's field ``key`` as people write it (phones, CPF, CNPJ)."""
    return format_field(value, key)


@register.simple_tag(takes_context=True)
def field_value(context: Any, record: Any, key: str) -> str:
    """What an input of ``record``'s field ``key`` shows: phones national when they are of the
    workspace's country (so that the form reads them back the same), CPF and CNPJ punctuated."""
    value = get(record, key)
    if value is None:
        return ""
    workspace = context.get("current_workspace")
    return format_field(value, key, getattr(workspace, "country", None) or "BR")


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
    ``column.json_key``), with dates localised, lists joined, choices by label and yes/no,
    phones, documents and numbers as people write them."""
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
    if str(value) in labels:
        return labels[str(value)]
    field_type = getattr(column, "field_type", "")
    if field_type == "phone":
        return format_phone(value)
    if field_type in ("number", "money") or isinstance(value, int | float | Decimal):
        return format_number(value, 2 if field_type == "money" else None)
    if not getattr(column, "json_key", "") and isinstance(value, str):
        text = format_field(value, column.key)
        if text != value:
            return text
    if field_type == "date" and isinstance(value, str):
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
