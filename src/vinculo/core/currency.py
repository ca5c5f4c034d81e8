"""Currency rates the workspace enters, and converting money with them.

Money is never added up across currencies silently: a money KPI counts one currency at a time
or, asked for ``converted``, turns every record into the workspace's default currency at the
rate of the month it happened (in the workspace's time zone). A rate says what one unit of a
currency was worth in the default currency during a month; a record whose currency has no rate
for its month is left out of the converted figures and reported (:attr:`Converter.missing`),
never dropped without a word.

The rates sit on the core floor (the KPI engine reads them, and core imports no app); their
reads and writes are here, the API in :mod:`vinculo.core.currency_api`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.errors import (
    FieldError,
    NotFound,
    ValidationFailed,
    collect,
    raise_if_any,
)
from vinculo.core.models import CurrencyRate
from vinculo.core.permissions import require
from vinculo.core.tenancy import Workspace
from vinculo.core.validators import clean_currency, clean_date, clean_decimal

CONVERTED = "converted"  # a money KPI's ``currency``: every currency, converted
MAX_RATE = Decimal("1000000000")


def month_of(when: date | datetime, tz: ZoneInfo | None = None) -> date:
    """The first day of the month ``when`` falls in (a moment: in ``tz``)."""
    if isinstance(when, datetime) and tz is not None:
        when = when.astimezone(tz)
    return date(when.year, when.month, 1)


def parse_month(raw: Any, field: str) -> date | None:
    """The first day of the month of ``raw`` ("2026-03" or any day of it); 422 ``field``."""
    if isinstance(raw, str) and len(raw.strip()) == 7:  # "2026-03"
        raw = f"{raw.strip()}-01"
    day = clean_date(raw, field)
    return month_of(day) if day else None


class Converter:
    """Turns amounts of any currency into the workspace's default currency with the rates the
    workspace entered (loaded once). Remembers each (currency, month) that had no rate."""

    def __init__(self, workspace: Workspace, tz: ZoneInfo) -> None:
        self.target = workspace.default_currency
        self.tz = tz
        self.rates = {
            (r.currency, r.month): r.rate
            for r in CurrencyRate.objects.for_workspace(workspace).filter(to_currency=self.target)
        }
        self.missing: set[tuple[str, date]] = set()

    def rate(self, currency: str, when: date | datetime) -> Decimal | None:
        """The rate of ``currency`` in the month of ``when`` (1 for the default currency);
        None, remembered in :attr:`missing`, when the workspace entered none."""
        if currency == self.target:
            return Decimal(1)
        month = month_of(when, self.tz)
        found = self.rates.get((currency, month))
        if found is None:
            self.missing.add((currency, month))
        return found

    def missing_list(self) -> list[tuple[str, date]]:
        return sorted(self.missing)


# --- reads ------------------------------------------------------------------------------------


def currency_rates(
    actor: Actor,
    *,
    currency: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[CurrencyRate]:
    """The workspace's rates into its default currency, newest month first; ``start`` and
    ``end`` are months (any day of them), both included."""
    require(actor, "insights.view")
    qs = CurrencyRate.objects.for_workspace(actor.workspace).filter(
        to_currency=actor.workspace.default_currency
    )
    if currency:
        qs = qs.filter(currency=currency.upper())
    if start:
        qs = qs.filter(month__gte=month_of(start))
    if end:
        qs = qs.filter(month__lte=month_of(end))
    return qs.order_by("-month", "currency")


def get_currency_rate(actor: Actor, rate_id: int) -> CurrencyRate:
    found = currency_rates(actor).filter(pk=rate_id).first()
    if found is None:
        raise NotFound(_("No currency rate with id %(id)s.") % {"id": rate_id})
    return found


# --- writes -----------------------------------------------------------------------------------


def _clean(workspace: Workspace, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for name in ("currency", "month", "rate"):
        if not partial and data.get(name) in (None, ""):
            errors.append(FieldError(name, _("This field is required."), "required"))
    if data.get("currency") not in (None, ""):
        code = collect(errors, clean_currency, data["currency"], "currency")
        if code and code == workspace.default_currency:
            errors.append(
                FieldError(
                    "currency",
                    _("%(code)s is the workspace's own currency: it needs no rate.")
                    % {"code": code},
                    "same_currency",
                )
            )
        elif code:
            out["currency"] = code
    if data.get("month") not in (None, ""):
        month = collect(errors, parse_month, data["month"], "month")
        if month:
            out["month"] = month
    if data.get("rate") not in (None, ""):
        rate = collect(errors, clean_decimal, data["rate"], "rate", places=8, max_digits=18)
        if rate is not None and not (0 < rate < MAX_RATE):
            errors.append(FieldError("rate", _("Enter a rate above zero."), "too_small"))
        elif rate is not None:
            out["rate"] = rate
    raise_if_any(errors)
    return out


def _taken() -> ValidationFailed:
    message = _("This currency already has a rate for this month; change that one.")
    return ValidationFailed(message, errors=[FieldError("month", message, "taken")])


def create_currency_rate(*, actor: Actor, data: dict[str, Any]) -> CurrencyRate:
    """Enter the rate of ``currency`` (into the default currency) for ``month`` (YYYY-MM or
    any day of it). 422 naming the field: unknown currency, the default currency itself, a rate
    not above zero, a month that already has one."""
    require(actor, "settings.manage")
    clean = _clean(actor.workspace, data, partial=False)
    try:
        with transaction.atomic():
            found = CurrencyRate.objects.create(
                workspace=actor.workspace,
                created_by=actor.user,
                to_currency=actor.workspace.default_currency,
                **clean,
            )
            audit.record(
                actor,
                "currency_rate.created",
                found,
                changes={k: [None, str(v)] for k, v in clean.items()},
            )
    except IntegrityError:
        raise _taken() from None
    return found


def update_currency_rate(*, actor: Actor, rate_id: int, data: dict[str, Any]) -> CurrencyRate:
    """Change a rate's currency, month or rate (only the fields given)."""
    require(actor, "settings.manage")
    clean = _clean(actor.workspace, data, partial=True)
    try:
        with transaction.atomic():
            found = get_currency_rate(actor, rate_id)
            changes = {
                k: [str(getattr(found, k)), str(v)]
                for k, v in clean.items()
                if getattr(found, k) != v
            }
            if changes:
                for key, value in clean.items():
                    setattr(found, key, value)
                found.save()
                audit.record(actor, "currency_rate.updated", found, changes=changes)
    except IntegrityError:
        raise _taken() from None
    return found


def delete_currency_rate(*, actor: Actor, rate_id: int) -> None:
    require(actor, "settings.manage")
    with transaction.atomic():
        found = get_currency_rate(actor, rate_id)
        audit.record(actor, "currency_rate.deleted", found, changes={"rate": [str(found), None]})
        found.delete()
