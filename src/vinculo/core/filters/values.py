"""The values of conditions: each parser reads one kind of value (text, number, date, days, a
list, a pair) or raises :class:`InvalidNode` naming the value's path in the tree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from vinculo.core.filters.language import MAX_DAYS, MAX_LIST_VALUES


class InvalidNode(Exception):
    def __init__(self, path: str, message: str, code: str = "invalid_value") -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.code = code


def parse_scalar(value: Any, path: str) -> Any:
    if isinstance(value, list | tuple):
        raise InvalidNode(path, _("Send a single value, not a list."), "invalid_type")
    if isinstance(value, dict):
        raise InvalidNode(path, _("Send a single value, not an object."), "invalid_type")
    if value is None:
        raise InvalidNode(path, _("Send a value."), "required")
    return value


def parse_list(value: Any, path: str, parse: Callable[[Any, str], Any]) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidNode(path, _("Send a list of values."), "invalid_type")
    if not value:
        raise InvalidNode(path, _("Send at least one value."), "required")
    if len(value) > MAX_LIST_VALUES:
        raise InvalidNode(path, _("At most %(n)s values.") % {"n": MAX_LIST_VALUES}, "too_long")
    return [parse(item, f"{path}.{i}") for i, item in enumerate(value)]


def parse_text(value: Any, path: str) -> str:
    value = parse_scalar(value, path)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise InvalidNode(path, _("Send a text value."), "invalid_type")
    return str(value)


def parse_number(value: Any, path: str) -> Decimal:
    value = parse_scalar(value, path)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise InvalidNode(path, _("Send a number."), "invalid_number")
    text = str(value).strip()
    if isinstance(value, str) and "," in text:
        text = text.replace(".", "").replace(",", ".")  # Brazilian 1.234,50
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidNode(
            path, _("%(value)r is not a number.") % {"value": value}, "invalid_number"
        ) from None
    if not number.is_finite():
        raise InvalidNode(
            path, _("%(value)r is not a number.") % {"value": value}, "invalid_number"
        )
    if abs(number) >= Decimal(10) ** 18:
        raise InvalidNode(path, _("This number is too large."), "too_large")
    if number != number.quantize(Decimal(1).scaleb(-10)):
        raise InvalidNode(path, _("At most 10 decimal places."), "too_precise")
    return number


def parse_day(value: Any, path: str) -> date:
    value = parse_scalar(value, path)
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidNode(
            path,
            _("%(value)r is not a date; send YYYY-MM-DD.") % {"value": value},
            "invalid_date",
        )
    return parsed


def parse_days(value: Any, path: str) -> int:
    value = parse_scalar(value, path)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise InvalidNode(
            path,
            _("Send a whole number of days from 0 to %(max)s.") % {"max": MAX_DAYS},
            "invalid_number",
        )
    return value


def parse_pair(value: Any, path: str, parse: Callable[[Any, str], Any]) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidNode(path, _("Send a list of two values: [from, to]."), "invalid_type")
    low, high = parse(value[0], f"{path}.0"), parse(value[1], f"{path}.1")
    if low > high:
        raise InvalidNode(path, _("The first value must not be after the second."), "invalid_range")
    return low, high
