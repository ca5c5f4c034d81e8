"""Lead score reasons in words: stored as a code and parameters (``{"code": "behaviour",
"points": 18, "event": "page_viewed", "contains": "pricing", "count": 3, "window_days": 7}``),
worded here in the reader's language when read ("+18: visited pages with “pricing” 3x this
week" / "+18: visitou páginas com “pricing” 3x nesta semana", with a multiplication sign)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vinculo.core.formats import format_number
from vinculo.events.models import StandardEventName, event_name_label
from vinculo.scoring.features import LOOKBACK_DAYS


def _period(window_days: int | None) -> str:
    if not window_days:
        return _("in all")
    if window_days == 1:
        return _("today")
    if window_days == 7:
        return _("this week")
    return ngettext("in the last %(n)s day", "in the last %(n)s days", window_days) % {
        "n": format_number(window_days)
    }


def _behaviour(r: dict[str, Any]) -> str:
    times = _("%(n)s×") % {"n": format_number(r.get("count", 0))}  # noqa: RUF001
    period = _period(r.get("window_days"))
    contains = r.get("contains") or ""
    if r.get("event") == StandardEventName.PAGE_VIEWED and contains:
        return _("visited pages with “%(text)s” %(times)s %(period)s") % {
            "text": contains,
            "times": times,
            "period": period,
        }
    what = event_name_label(str(r.get("event", "")))
    if contains:
        what = _("%(event)s with %(property)s containing “%(text)s”") % {
            "event": what,
            "property": r.get("property", ""),
            "text": contains,
        }
    return _("%(event)s %(times)s %(period)s") % {"event": what, "times": times, "period": period}


def feature_label(name: str) -> str:
    """A model feature's name for the model screen."""
    labels = {
        "has_email": _("Has an email address"),
        "has_phone": _("Has a phone"),
        "has_job_title": _("Has a job title"),
        "has_company": _("Linked to a company"),
        "days_known": _("Days since the person was added"),
        "activities": _("Activities in the last %(n)s days") % {"n": LOOKBACK_DAYS},
    }
    if name in labels:
        return labels[name]
    kind, _sep, value = name.partition(":")
    if kind == "event":
        return _("“%(event)s” events in the last %(n)s days") % {
            "event": event_name_label(value),
            "n": LOOKBACK_DAYS,
        }
    if kind == "source":
        return _("Source “%(source)s”") % {"source": value}
    return name


def _feature_value(name: str, value: float) -> str:
    """What a person's value of a feature says, in words."""
    n = round(value)
    flags = {
        "has_email": (_("no email address"), _("has an email address")),
        "has_phone": (_("no phone"), _("has a phone")),
        "has_job_title": (_("no job title"), _("has a job title")),
        "has_company": (_("not linked to a company"), _("linked to a company")),
    }
    if name in flags:
        return flags[name][1 if n else 0]
    if name == "days_known":
        return ngettext("added %(n)s day ago", "added %(n)s days ago", n) % {"n": format_number(n)}
    if name == "activities":
        return ngettext(
            "%(n)s activity in the last %(days)s days",
            "%(n)s activities in the last %(days)s days",
            n,
        ) % {"n": format_number(n), "days": LOOKBACK_DAYS}
    kind, _sep, key = name.partition(":")
    if kind == "event":
        return _("%(event)s %(n)s× in the last %(days)s days") % {  # noqa: RUF001
            "event": event_name_label(key),
            "n": format_number(n),
            "days": LOOKBACK_DAYS,
        }
    if kind == "source":
        template = _("source is “%(source)s”") if n else _("source is not “%(source)s”")
        return template % {"source": key}
    return f"{name} = {value}"


def reason_text(reason: dict[str, Any]) -> str:
    """One stored reason in the reader's language (an unknown code as its parameters)."""
    code = reason.get("code")
    if code == "field":
        return _("%(points)s: %(rule)s") % {
            "points": f"{int(reason.get('points', 0)):+d}",
            "rule": reason.get("rule", ""),
        }
    if code == "behaviour":
        return _("%(points)s: %(what)s") % {
            "points": f"{int(reason.get('points', 0)):+d}",
            "what": _behaviour(reason),
        }
    if code == "model":
        value = _feature_value(str(reason.get("feature", "")), float(reason.get("value", 0)))
        if float(reason.get("effect", 0)) > 0:
            return _("Raises the chance of winning: %(what)s") % {"what": value}
        return _("Lowers the chance of winning: %(what)s") % {"what": value}
    return str(reason)
