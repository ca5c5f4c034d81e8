"""Errors that services raise and the edges (API, views, CLI) turn into clear answers.

The API answers them as RFC 9457 problem documents (``application/problem+json``) with a
field-level ``errors`` list; the web forms show the same messages next to the same fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": str(self.message), "code": self.code}


class ServiceError(Exception):
    """Base of the errors a service may raise on purpose."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, *, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = str(detail)
        self.errors = list(errors)


class ValidationFailed(ServiceError):
    """Input that cannot be accepted; ``errors`` names each bad field and why."""

    status = 422
    title = "Validation failed"
    type_slug = "validation-failed"

    @classmethod
    def field(cls, field: str, message: str, code: str = "invalid") -> ValidationFailed:
        return cls(str(message), errors=[FieldError(field, str(message), code)])


def collect(
    errors: list[FieldError], cleaner: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """Run one cleaner; on failure add its field errors to ``errors`` and return None, so a form
    or row reports every bad field at once instead of the first one."""
    try:
        return cleaner(*args, **kwargs)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


def raise_if_any(errors: list[FieldError]) -> None:
    """Refuse the input with every collected field error, if there is one."""
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


def choice_error(field: str, value: Any, allowed: Iterable[str]) -> FieldError:
    """The error of a value outside an enumeration, listing what is allowed."""
    return FieldError(
        field,
        _("%(value)r is not one of: %(choices)s.")
        % {"value": value, "choices": ", ".join(allowed)},
        "invalid_choice",
    )


class PermissionDenied(ServiceError):
    status = 403
    title = "Permission denied"
    type_slug = "permission-denied"


class NotFound(ServiceError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str,
    errors: Iterable[dict[str, str]] = (),
) -> dict[str, object]:
    """A problem document (RFC 9457) as a dict."""
    body: dict[str, object] = {
        "type": f"https://vinculo.dev/problems/{type_slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    errors = list(errors)
    if errors:
        body["errors"] = errors
    return body
