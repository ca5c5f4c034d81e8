"""The API's guard on every input before a schema reads it: JSON bodies, query strings and form
fields.

Text may not hold a NUL character (PostgreSQL cannot store one) nor a lone UTF-16 surrogate such
as ``"\\ud800"`` (no encoding can write one); numbers in a JSON body must fit a 64-bit integer
and be finite. Anything else is refused with a field error naming where it was, so no bad value
reaches a service, the database driver or a log line (docs/api.md, "Limits").
"""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.schemas import MAX_ID
from vinculo.core.validators import unstorable_text_error

MAX_ERRORS = 20


def _path(parent: str, key: Any) -> str:
    return f"{parent}.{key}" if parent else str(key)


def _text_error(field: str, text: str) -> FieldError | None:
    return unstorable_text_error(text, field or "body")


def _walk(value: Any, field: str, errors: list[FieldError]) -> None:
    if len(errors) >= MAX_ERRORS:
        return
    if isinstance(value, str):
        problem = _text_error(field, value)
        if problem is not None:
            errors.append(problem)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -MAX_ID - 1 <= value <= MAX_ID:
            errors.append(FieldError(field or "body", _("This number is too large."), "too_large"))
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_ID:
            errors.append(FieldError(field or "body", _("This number is too large."), "too_large"))
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = _text_error(field, key) if isinstance(key, str) else None
            if problem is not None:
                errors.append(problem)
                continue
            _walk(item, _path(field, key), errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, _path(field, index), errors)


def check_input(value: Any) -> None:
    """Refuse ``value`` (a parsed body or query) if any text or number in it cannot be stored:
    :class:`ValidationFailed` with one error per bad place (``tags.1``, ``custom_fields.k``)."""
    errors: list[FieldError] = []
    _walk(value, "", errors)
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


class InputParser(Parser):
    """ninja's JSON parser, followed by :func:`check_input` on bodies, query strings and forms.

    ninja wraps an error raised while parsing a body in ``HttpError(400)``; the API's handler of
    that error answers the :class:`ValidationFailed` it was raised from instead."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        check_input(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        check_input(result)
        return result
