"""A goal's numbers and status reason in the reader's language (stored as a code and parameters,
worded when read), the status rule in words, and the goal notifications' sentences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vinculo.core import notifications
from vinculo.core.formats import format_duration, format_money, format_number, format_percent
from vinculo.core.kpis import Kpi, Unit, get
from vinculo.strategy.goals import rules

NOTHING = "—"


def shown(kpi: Kpi | None, value: Any, currency: str = "") -> str:
    """A value of the goal's KPI as the reader reads it (a dash for none)."""
    if value is None or value == "":
        return NOTHING
    number = Decimal(str(value))
    if kpi is None:
        return format_number(number, trim=True)
    if kpi.unit is Unit.MONEY:
        return format_money(number, currency if len(currency) == 3 else None)
    if kpi.unit is Unit.PERCENT:
        return format_percent(round(number * 100, 1))
    if kpi.unit is Unit.DURATION:
        return format_duration(number)
    if kpi.unit is Unit.COUNT:
        return format_number(round(number, 1), trim=True)
    return format_number(round(number, 2), trim=True)


def share_shown(value: Any) -> str:
    if value is None:
        return NOTHING
    return format_percent(round(Decimal(str(value)) * 100, 1))


def _day(iso: str | None) -> str:
    return date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else NOTHING


REASONS: dict[str, Any] = {
    "not_started": lambda: _("Not started: it starts on %(starts_on)s."),
    "no_value": lambda: _("The KPI has nothing to measure yet (no value)."),
    "kpi_missing": lambda: _("Its KPI (%(kpi)s) is no longer available."),
    "achieved_by_deadline": lambda: _(
        "The deadline (%(deadline)s) has passed: %(current)s reached the target of %(target)s."
    ),
    "missed": lambda: _(
        "The deadline (%(deadline)s) has passed at %(current)s, short of the target of %(target)s."
    ),
    "ceiling_passed": lambda: _("%(current)s is already over the ceiling of %(target)s."),
    "reached": lambda: _("%(current)s has reached the target of %(target)s."),
    "too_early": lambda: _(
        "Too early to say: in its first %(days)s days a goal is on track unless it has reached "
        "its target (now %(current)s of %(target)s)."
    ),
    "forecast_under_ceiling": lambda: _(
        "The forecast for %(deadline)s, %(forecast)s, stays within the ceiling of %(target)s."
    ),
    "forecast_near_ceiling": lambda: _(
        "The forecast for %(deadline)s, %(forecast)s, passes the ceiling of %(target)s by at "
        "most 10%% (up to %(limit)s)."
    ),
    "forecast_over_ceiling": lambda: _(
        "The forecast for %(deadline)s, %(forecast)s, passes the ceiling of %(target)s by more "
        "than 10%% (over %(limit)s)."
    ),
    "forecast_reaches": lambda: _(
        "The forecast for %(deadline)s, %(forecast)s, reaches the target of %(target)s."
    ),
    "forecast_short": lambda: _(
        "The forecast for %(deadline)s, %(forecast)s, gets %(share)s of the way to the target "
        "of %(target)s: at risk (from %(threshold)s of the way)."
    ),
    "forecast_far": lambda: _(
        "The forecast for %(deadline)s, %(forecast)s, gets only %(share)s of the way to the "
        "target of %(target)s: off track (under %(threshold)s of the way)."
    ),
}


def reason_text(kpi_key: str, currency: str, reason: dict[str, Any] | None) -> str:
    """The stored reason (``{"code", "params"}``) in the active language."""
    if not reason or reason.get("code") not in REASONS:
        return _("Not measured yet.")
    kpi = get(kpi_key)
    params = dict(reason.get("params") or {})
    words: dict[str, str] = {"kpi": str(params.get("kpi", kpi_key))}
    for key in ("target", "current", "forecast", "limit"):
        words[key] = shown(kpi, params.get(key), currency)
    for key in ("share", "threshold"):
        words[key] = share_shown(params.get(key))
    for key in ("deadline", "starts_on"):
        words[key] = _day(params.get(key))
    words["days"] = format_number(params.get("days", rules.TOO_EARLY_DAYS))
    return str(REASONS[reason["code"]]()) % words


def progress_rule(shape: rules.Shape) -> str:
    """How progress is counted, in words."""
    if shape is rules.Shape.TOTAL:
        return _("Progress = current ÷ target (a total since the start, from zero).")
    if shape is rules.Shape.CEILING:
        return _("A ceiling not to pass by the deadline: progress = the share of it used.")
    return _("Progress = (current - baseline) ÷ (target - baseline), whichever way is good.")


def status_rule(shape: rules.Shape) -> str:
    """The status rule in words, with its numbers."""
    early = _(
        "Before the start: not started. The first %(days)s days: too early to say (on track) "
        "unless the target is reached. After the deadline: achieved or missed."
    ) % {"days": format_number(rules.TOO_EARLY_DAYS)}
    if shape is rules.Shape.CEILING:
        judged = _(
            "In between, from the forecast for the deadline: on track when it stays within the "
            "ceiling, at risk when it passes it by at most %(margin)s, off track beyond (or once "
            "the ceiling is passed)."
        ) % {"margin": share_shown(rules.CEILING_MARGIN)}
    else:
        judged = _(
            "In between: achieved once the target is reached; otherwise, from the forecast for "
            "the deadline: on track when it reaches the target, at risk when it gets at least "
            "%(share)s of the way, off track below."
        ) % {"share": share_shown(rules.AT_RISK_SHARE)}
    forecast = _(
        "The forecast is the current value plus the trend (the least-squares slope of the "
        "readings of the last %(days)s days) times the days left; with fewer than %(n)s "
        "readings, a total's run rate since the start, a level's current value."
    ) % {"days": format_number(rules.TREND_DAYS), "n": format_number(rules.MIN_READINGS)}
    return f"{early} {judged} {forecast}"


def _notice(status_words: str) -> notifications.Words:
    def words(params: dict[str, Any]) -> str:
        reason = reason_text(str(params.get("kpi", "")), str(params.get("currency", "")),
                             params.get("reason"))  # fmt: skip
        return status_words % {"title": params.get("title", ""), "reason": reason}

    return words


def register_notices() -> None:
    """The goal alerts the bell shows (from the app's ready())."""
    notifications.register(
        "goal.at_risk", lambda p: _notice(_("The goal “%(title)s” is at risk. %(reason)s"))(p)
    )
    notifications.register(
        "goal.off_track",
        lambda p: _notice(_("The goal “%(title)s” is off track. %(reason)s"))(p),
    )
