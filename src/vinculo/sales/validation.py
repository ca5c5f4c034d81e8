"""Validation helpers shared by the sales services: collect every field error, then raise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.formats import format_number

ZERO = Decimal("0.00")
CENT = Decimal("0.01")  # the money quantum: amounts and totals are rounded to cents


def collect(errors: list[FieldError], func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a cleaner; on :class:`ValidationFailed` add its errors and return None."""
    try:
        return func(*args, **kwargs)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), errors=errors)


def clean_int(
    value: Any, field: str, errors: list[FieldError], *, minimum: int, maximum: int | None = None
) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.append(FieldError(field, _("Enter a whole number."), "invalid_number"))
        return None
    try:
        number = int(value)
    except ValueError:
        errors.append(FieldError(field, _("Enter a whole number."), "invalid_number"))
        return None
    if number < minimum or (maximum is not None and number > maximum):
        message = (
            _("Enter a number from %(min)s to %(max)s.")
            % {"min": format_number(minimum), "max": format_number(maximum)}
            if maximum is not None
            else _("Must be at least %(min)s.") % {"min": format_number(minimum)}
        )
        errors.append(FieldError(field, message, "out_of_range"))
        return None
    return number


def clean_id(value: Any, field: str, errors: list[FieldError]) -> int | None:
    """A positive integer id (``12`` or ``"12"``); None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        errors.append(FieldError(field, _("Send the numeric id."), "invalid_id"))
        return None
    return int(value)


def jsonable(value: Any) -> Any:
    """A JSON-friendly form of a field value for audit changes and event payloads."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value
