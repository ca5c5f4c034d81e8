"""Cleaners the gap, touchpoint and glossary services share: a member as owner, a team, a whole
number, a registered KPI; each adds a field error to the list it is given instead of raising, so
a form reports every bad field at once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vinculo.core import kpis
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError
from vinculo.core.tenancy import Team
from vinculo.core.validators import whole_number
from vinculo.workspaces.selectors import active_member_ids


def member_id(actor: Actor, errors: list[FieldError], field: str, value: Any) -> int | None:
    """A user id that is an active member of the workspace (None when empty)."""
    number = whole_number(errors, field, value, low=1, high=2**31 - 1)
    if number is not None and number not in active_member_ids(actor.workspace):
        errors.append(FieldError(field, _("No member of this workspace has this id."), "unknown"))
        return None
    return number


def team_id(actor: Actor, errors: list[FieldError], field: str, value: Any) -> int | None:
    """A team id of the workspace (None when empty)."""
    number = whole_number(errors, field, value, low=1, high=2**31 - 1)
    if number is not None and not Team.objects.for_workspace(actor.workspace).filter(pk=number):
        errors.append(FieldError(field, _("No team of this workspace has this id."), "unknown"))
        return None
    return number


def kpi_key(errors: list[FieldError], field: str, value: Any) -> str:
    """A key of the KPI registry ("" when empty)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or kpis.get(value.strip()) is None:
        errors.append(FieldError(field, _("No KPI is called %(key)s.") % {"key": value}, "unknown"))
        return ""
    return value.strip()
