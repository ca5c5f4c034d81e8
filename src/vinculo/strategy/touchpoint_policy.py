"""A touchpoint's communication policy: the rule each kind needs (``reply_within`` an amount of
minutes, hours, business hours, days or business days; ``at_most`` / ``at_least`` an amount a
day, week or month) and the policy in words, built from the structure in the reader's language
("Reply within 2 business hours" / "Responder em até 2 horas úteis")."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vinculo.strategy.models import PolicyKind, PolicyUnit

# The units each kind of rule is counted in.
DURATION_UNITS = (
    PolicyUnit.MINUTES,
    PolicyUnit.HOURS,
    PolicyUnit.BUSINESS_HOURS,
    PolicyUnit.DAYS,
    PolicyUnit.BUSINESS_DAYS,
)
PERIOD_UNITS = (PolicyUnit.DAY, PolicyUnit.WEEK, PolicyUnit.MONTH)
UNITS_OF: dict[str, tuple[str, ...]] = {
    PolicyKind.REPLY_WITHIN: tuple(u.value for u in DURATION_UNITS),
    PolicyKind.AT_MOST: tuple(u.value for u in PERIOD_UNITS),
    PolicyKind.AT_LEAST: tuple(u.value for u in PERIOD_UNITS),
}
# The smallest amount each kind allows ("at most 0 a week": never).
LOWEST: dict[str, int] = {
    PolicyKind.REPLY_WITHIN: 1,
    PolicyKind.AT_MOST: 0,
    PolicyKind.AT_LEAST: 1,
}
HIGHEST = 10_000


def _reply_within(n: int, unit: str) -> str:
    if unit == PolicyUnit.MINUTES:
        return ngettext("Reply within %(n)s minute", "Reply within %(n)s minutes", n) % {"n": n}
    if unit == PolicyUnit.HOURS:
        return ngettext("Reply within %(n)s hour", "Reply within %(n)s hours", n) % {"n": n}
    if unit == PolicyUnit.BUSINESS_HOURS:
        return ngettext(
            "Reply within %(n)s business hour", "Reply within %(n)s business hours", n
        ) % {"n": n}
    if unit == PolicyUnit.DAYS:
        return ngettext("Reply within %(n)s day", "Reply within %(n)s days", n) % {"n": n}
    return ngettext("Reply within %(n)s business day", "Reply within %(n)s business days", n) % {
        "n": n
    }


def _at_most(n: int, unit: str) -> str:
    if unit == PolicyUnit.DAY:
        return ngettext("At most %(n)s message a day", "At most %(n)s messages a day", n) % {"n": n}
    if unit == PolicyUnit.WEEK:
        return ngettext("At most %(n)s message a week", "At most %(n)s messages a week", n) % {
            "n": n
        }
    return ngettext("At most %(n)s message a month", "At most %(n)s messages a month", n) % {"n": n}


def _at_least(n: int, unit: str) -> str:
    if unit == PolicyUnit.DAY:
        return ngettext("At least %(n)s contact a day", "At least %(n)s contacts a day", n) % {
            "n": n
        }
    if unit == PolicyUnit.WEEK:
        return ngettext("At least %(n)s contact a week", "At least %(n)s contacts a week", n) % {
            "n": n
        }
    return ngettext("At least %(n)s contact a month", "At least %(n)s contacts a month", n) % {
        "n": n
    }


def policy_words(kind: str, amount: int | None, unit: str) -> str:
    """The rule in the active language; "" for no rule (or a rule without its amount)."""
    if not kind or amount is None:
        return ""
    if kind == PolicyKind.REPLY_WITHIN:
        return _reply_within(amount, unit)
    if kind == PolicyKind.AT_MOST:
        if amount == 0:
            return _("No messages")
        return _at_most(amount, unit)
    if kind == PolicyKind.AT_LEAST:
        return _at_least(amount, unit)
    return ""
