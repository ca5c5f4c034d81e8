"""Marketing spend: what the workspace spent per month and channel to acquire customers, the
numerator of CAC (``vinculo.contacts.kpis``). One entry per month, channel and currency; the
channel is free text (a suggested channel or one of the people's sources) matched by its folded
form. Writes need ``marketing.write``; reads are in :mod:`vinculo.contacts.selectors`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.contacts.models import Spend
from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.currency import parse_month
from vinculo.core.errors import FieldError, NotFound, ValidationFailed, collect, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.core.validators import clean_currency, clean_decimal, clean_name

# Offered when entering spend, beside the sources the workspace's people already have.
SUGGESTED_CHANNELS = (
    "Google Ads",
    "Meta Ads",
    "LinkedIn Ads",
    gettext_lazy("Events"),
    gettext_lazy("Content and SEO"),
    gettext_lazy("Email marketing"),
    gettext_lazy("Partners"),
    gettext_lazy("Referral programme"),
)
FIELDS = ("month", "channel", "amount", "currency", "note")


def _clean(actor: Actor, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    given = {k: data[k] for k in FIELDS if k in data}
    for name in ("month", "channel", "amount"):
        if not partial and given.get(name) in (None, ""):
            errors.append(FieldError(name, _("This field is required."), "required"))
    if given.get("month") not in (None, ""):
        out["month"] = collect(errors, parse_month, given["month"], "month")
    if given.get("channel") not in (None, ""):
        channel = collect(errors, clean_name, given["channel"], "channel", max_length=60)
        if channel:
            out["channel"], out["channel_key"] = channel, fold(channel)
    if given.get("amount") not in (None, ""):
        out["amount"] = collect(
            errors, clean_decimal, given["amount"], "amount", minimum=Decimal(0)
        )
    if given.get("currency") not in (None, ""):
        out["currency"] = collect(errors, clean_currency, given["currency"], "currency")
    elif not partial or "currency" in given:
        out["currency"] = actor.workspace.default_currency
    if "note" in given:
        out["note"] = collect(errors, clean_name, given["note"] or "", "note", max_length=200)
    raise_if_any(errors)
    return out


def _taken() -> ValidationFailed:
    message = _(
        "This channel already has spend in this currency for this month; change that entry."
    )
    return ValidationFailed(message, errors=[FieldError("channel", message, "taken")])


def _get(actor: Actor, spend_id: int) -> Spend:
    found = Spend.objects.for_workspace(actor.workspace).select_for_update().filter(pk=spend_id)
    spend = found.first()
    if spend is None:
        raise NotFound(_("No spend entry with id %(id)s.") % {"id": spend_id})
    return spend


def _json(spend: Spend, keys: Any) -> dict[str, Any]:
    return {k: str(getattr(spend, k)) for k in keys if k != "channel_key"}


def create_spend(*, actor: Actor, data: dict[str, Any]) -> Spend:
    """Enter a month's spend on a channel: ``month`` (YYYY-MM), ``channel``, ``amount`` (≥ 0),
    ``currency`` (default: the workspace's), ``note``. 422 naming each bad field; a month,
    channel and currency that already has an entry is refused on ``channel``."""
    require(actor, "marketing.write")
    clean = _clean(actor, data, partial=False)
    try:
        with transaction.atomic():
            spend = Spend.objects.create(workspace=actor.workspace, created_by=actor.user, **clean)
            audit.record(
                actor,
                "spend.created",
                spend,
                changes={k: [None, v] for k, v in _json(spend, clean).items()},
            )
    except IntegrityError:
        raise _taken() from None
    return spend


def update_spend(*, actor: Actor, spend_id: int, data: dict[str, Any]) -> Spend:
    """Change the fields given of an entry."""
    require(actor, "marketing.write")
    clean = _clean(actor, data, partial=True)
    try:
        with transaction.atomic():
            spend = _get(actor, spend_id)
            before = _json(spend, clean)
            for key, value in clean.items():
                setattr(spend, key, value)
            after = _json(spend, clean)
            changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            if changes:
                spend.save()
                audit.record(actor, "spend.updated", spend, changes=changes)
    except IntegrityError:
        raise _taken() from None
    return spend


def delete_spend(*, actor: Actor, spend_id: int) -> None:
    require(actor, "marketing.write")
    with transaction.atomic():
        spend = _get(actor, spend_id)
        audit.record(actor, "spend.deleted", spend, changes={"spend": [str(spend), None]})
        spend.delete()
