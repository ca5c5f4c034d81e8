"""Cursor (keyset) pagination: stable under inserts, O(1) per page at any depth."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import F, Model, Q, QuerySet
from django.utils.translation import gettext as _

from vinculo.core.errors import ValidationFailed
from vinculo.core.models import plain_field

T = TypeVar("T", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _encode(value: Any, pk: Any) -> str:
    raw = json.dumps([value, pk], default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, TypeError) as exc:
        raise ValidationFailed.field("cursor", _("The cursor is not valid.")) from exc
    return value, pk


def paginate(
    queryset: QuerySet[T], *, cursor: str | None, limit: int | None, order: str = "-pk"
) -> Page[T]:
    """One page of ``queryset`` ordered by ``order`` (one field, ``-`` for descending) then pk.

    The cursor is opaque to clients; a malformed one is a 422 naming ``cursor``.
    """
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.field(
            "limit", _("Limit must be between 1 and %(max)s.") % {"max": MAX_LIMIT}
        )
    descending = order.startswith("-")
    field_name = order.lstrip("-")
    model = queryset.model
    pk_name = model._meta.pk.name
    if field_name == "pk":
        field_name = pk_name
    field = plain_field(model, field_name)
    prefix = "-" if descending else ""
    nullable = getattr(field, "null", False) and field_name != pk_name
    if nullable:
        # Empty values come last in both directions, then the pk breaks ties.
        expression = (
            F(field_name).desc(nulls_last=True)
            if descending
            else F(field_name).asc(nulls_last=True)
        )
        queryset = queryset.order_by(expression, f"{prefix}{pk_name}")
    else:
        queryset = queryset.order_by(f"{prefix}{field_name}", f"{prefix}{pk_name}")
    if cursor:
        raw_value, raw_pk = _decode(cursor)
        try:
            value = None if raw_value is None else field.to_python(raw_value)
            pk = model._meta.pk.to_python(raw_pk)
        except Exception as exc:
            raise ValidationFailed.field("cursor", _("The cursor is not valid.")) from exc
        op = "lt" if descending else "gt"
        if field_name == pk_name:
            queryset = queryset.filter(**{f"{pk_name}__{op}": pk})
        elif value is None:
            if not nullable:
                raise ValidationFailed.field("cursor", _("The cursor is not valid."))
            queryset = queryset.filter(**{f"{field_name}__isnull": True, f"{pk_name}__{op}": pk})
        else:
            after = Q(**{f"{field_name}__{op}": value}) | Q(
                **{field_name: value, f"{pk_name}__{op}": pk}
            )
            if nullable:
                after |= Q(**{f"{field_name}__isnull": True})
            queryset = queryset.filter(after)
    items = list(queryset[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        value = getattr(last, field.attname)
        next_cursor = _encode(value.isoformat() if hasattr(value, "isoformat") else value, last.pk)
    return Page(items=items, next_cursor=next_cursor)
