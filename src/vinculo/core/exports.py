"""Exports of the list screens: what to export (:class:`ExportSpec`) and who answers it.

The people, company and deal tables' export buttons build an :class:`ExportSpec` of what the
table shows and call :func:`export_response`. The quality app, which keeps the one export path,
registers the responder at ``AppConfig.ready()``: ``register(respond)``, where
``respond(request, spec, back=...)`` answers with the file (small) or a background job (large),
reading the format from the request. Without a responder there is nothing to export (404).

:func:`safe_text` is what every file a spreadsheet opens (exports, the rejected rows of an import,
the insights' CSV) does to its text cells: nothing a spreadsheet would run as a formula.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.http import Http404, HttpRequest, HttpResponseBase

__all__ = ["ExportSpec", "Responder", "export_response", "register", "safe_text"]

_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^[+-][\d\s().-]*$")


def safe_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (``=``, ``@``, ``+``/``-`` that are not a
    phone number or a signed number are prefixed with an apostrophe, as OWASP advises)."""
    if text and (
        text.startswith(_FORMULA_START) or (text[0] in "+-" and not _SIGNED_NUMBER.match(text))
    ):
        return "'" + text
    return text


@dataclass
class ExportSpec:
    """What to export. ``ids`` narrows to given records (the audit report's offending ones)."""

    object_type: str
    view_id: int | None = None
    filter: dict[str, Any] | None = None
    q: str = ""
    sort: str = ""
    columns: list[str] | None = None
    ids: list[int] | None = None
    deleted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExportSpec:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Responder(Protocol):
    def __call__(
        self, request: HttpRequest, spec: ExportSpec, *, back: str
    ) -> HttpResponseBase: ...


_RESPONDER: list[Responder] = []


def register(respond: Responder) -> None:
    """Have ``respond`` answer :func:`export_response` (registering again replaces it)."""
    _RESPONDER[:] = [respond]


def export_response(request: HttpRequest, spec: ExportSpec, *, back: str) -> HttpResponseBase:
    """The export of ``spec`` in the format the request asks for (``format=xlsx``, CSV by
    default); bad input goes back to ``back`` with the reason."""
    if not _RESPONDER:
        raise Http404
    return _RESPONDER[0](request, spec, back=back)
