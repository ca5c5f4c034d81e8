"""Exports, what to export: the :class:`ExportSpec` (object type, saved view, filter, search,
sort, columns, ids; defined in :mod:`vinculo.core.exports`) and its check."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vinculo.core import selectors as core_selectors
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, ValidationFailed
from vinculo.core.exports import ExportSpec  # the list screens build it in core
from vinculo.core.permissions import require
from vinculo.core.table_columns import check_sort
from vinculo.quality.models import ExportFormat
from vinculo.quality.services.export_columns import available_columns

MAX_IDS = 10_000

OBJECT_TYPES = ("person", "company", "deal")
FORMATS = tuple(ExportFormat.values)


def check_spec(actor: Actor, spec: ExportSpec, fmt: str) -> ExportSpec:
    """The spec with its saved view applied; refuses (422) an unknown object type, format, sort
    or column, and (404) a view the actor may not use or of another object type."""
    require(actor, "data.export")
    errors: list[FieldError] = []
    if spec.object_type not in OBJECT_TYPES:
        raise ValidationFailed.field(
            "object_type",
            _("Export one of: %(types)s.") % {"types": ", ".join(OBJECT_TYPES)},
            "invalid_choice",
        )
    if fmt not in FORMATS:
        errors.append(
            FieldError(
                "format",
                _("Choose a format: %(formats)s.") % {"formats": ", ".join(FORMATS)},
                "invalid_choice",
            )
        )
    resolved = ExportSpec(**spec.as_dict())
    if spec.view_id is not None:
        view = core_selectors.get_view(actor, spec.view_id)
        if view.object_type != spec.object_type:
            raise NotFound(_("No saved view with id %(id)s.") % {"id": spec.view_id})
        own = spec.filter is not None or spec.q or spec.sort or spec.columns
        if not own:
            resolved.filter = view.filter or None
            resolved.q = view.search
            resolved.sort = view.sort
            resolved.columns = list(view.columns) or None
    if resolved.filter is not None and not isinstance(resolved.filter, dict):
        errors.append(FieldError("filter", _("Send the filter as a JSON object."), "invalid"))
    if not check_sort(resolved.object_type, resolved.sort):
        errors.append(
            FieldError(
                "sort", _("This list cannot be sorted by %(sort)r.") % {"sort": resolved.sort}
            )
        )
    if resolved.columns:
        known = {c.key for c in available_columns(actor, resolved.object_type)}
        unknown = [k for k in resolved.columns if k not in known]
        if unknown:
            errors.append(
                FieldError(
                    "columns",
                    _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)},
                    "unknown_column",
                )
            )
    if resolved.ids is not None and (
        len(resolved.ids) > MAX_IDS or not all(isinstance(i, int) for i in resolved.ids)
    ):
        errors.append(FieldError("ids", _("Send at most 10,000 record ids."), "invalid"))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return resolved


def spec_summary(spec: ExportSpec) -> dict[str, Any]:
    return {
        "object_type": spec.object_type,
        "view_id": spec.view_id,
        "filter": spec.filter,
        "q": spec.q,
        "columns": spec.columns,
        "ids": len(spec.ids) if spec.ids is not None else None,
    }
