"""Template helpers of the deal screens: initials of a user.

``money``, ``days`` and ``duration`` are the shell's formatters (``{% load vinculo %}``,
:mod:`vinculo.core.formats`); they are registered here too so that a template loading only
``sales`` formats values the same way.
"""

from __future__ import annotations

from typing import Any

from django import template

from vinculo.core.formats import format_days, format_duration, format_money

register = template.Library()

register.filter("money", format_money)
register.filter("days", format_days)
register.filter("duration", format_duration)


@register.filter
def initials(user: Any) -> str:
    """Up to two letters for a user: ``Ana Souza`` → ``AS``, ``bruno@x`` → ``B``."""
    if user is None:
        return ""
    name = (getattr(user, "full_name", "") or getattr(user, "email", "") or str(user)).strip()
    if "@" in name and " " not in name:
        name = name.split("@")[0]
    words = [w for w in name.replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper()
