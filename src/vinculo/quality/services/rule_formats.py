"""Entry rules, the formats: capital letters, digits only, Brazilian state and CEP, Brazilian
mobile, corporate email and safe regular expressions, with the message each breaks with."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.core.errors import ValidationFailed
from vinculo.quality.models import EntryRule, RuleFormat

MAX_PATTERN = 200
# A regular expression only ever sees this many characters: with nested repetition refused at
# save, this bounds the time one value can take.
MAX_REGEX_INPUT = 500

UFS = frozenset(
    (
        "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
        "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
    )
)  # fmt: skip
FREE_WEBMAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "hotmail.com", "hotmail.com.br", "outlook.com",
        "outlook.com.br", "live.com", "live.com.br", "msn.com", "yahoo.com", "yahoo.com.br",
        "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "bol.com.br", "uol.com.br",
        "terra.com.br", "ig.com.br", "globo.com", "globomail.com", "r7.com", "oi.com.br",
        "zipmail.com.br", "protonmail.com", "proton.me", "gmx.com", "mail.com", "yandex.com",
    }
)  # fmt: skip
_CEP = re.compile(r"\d{5}-\d{3}")
_MOBILE_BR = re.compile(r"\+55[1-9][0-9]9\d{8}")
# A group holding a repetition, itself repeated: the shape of catastrophic backtracking.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*}|]|\{\d)(?:[^()\\]|\\.)*\)\s*[+*{?]")


FORMAT_MESSAGES: dict[str, Any] = {
    RuleFormat.UPPERCASE: gettext_lazy("Must be in capital letters."),
    RuleFormat.DIGITS_ONLY: gettext_lazy("Must contain digits only."),
    RuleFormat.BR_STATE: gettext_lazy("Must be a Brazilian state code (UF)."),
    RuleFormat.CEP: gettext_lazy("Must be a CEP like 00000-000."),
    RuleFormat.MOBILE_BR: gettext_lazy("Must be a Brazilian mobile number (DDD and 9 digits)."),
    RuleFormat.CORPORATE_EMAIL: gettext_lazy(
        "Must be a corporate email address, not a free webmail one."
    ),
    RuleFormat.REGEX: gettext_lazy("Does not match the pattern your workspace requires."),
}


def _is_corporate(value: str) -> bool:
    return value.rpartition("@")[2].lower() not in FREE_WEBMAIL


FORMAT_TESTS: dict[str, Callable[[str], bool]] = {
    RuleFormat.UPPERCASE: lambda v: v == v.upper(),
    RuleFormat.DIGITS_ONLY: lambda v: v.isascii() and v.isdigit(),
    RuleFormat.BR_STATE: lambda v: v in UFS,
    RuleFormat.CEP: lambda v: _CEP.fullmatch(v) is not None,
    RuleFormat.MOBILE_BR: lambda v: _MOBILE_BR.fullmatch(v) is not None,
    RuleFormat.CORPORATE_EMAIL: _is_corporate,
}


def compile_pattern(pattern: str, field: str = "pattern") -> re.Pattern[str]:
    """A rule's regular expression, refused when too long, invalid or prone to catastrophic
    backtracking (a repeated group that itself repeats, like ``(a+)+``)."""
    if not pattern:
        raise ValidationFailed.field(field, _("Give the regular expression."), "required")
    if len(pattern) > MAX_PATTERN:
        raise ValidationFailed.field(
            field, _("At most %(n)s characters.") % {"n": MAX_PATTERN}, "too_long"
        )
    if _NESTED_REPEAT.search(pattern):
        raise ValidationFailed.field(
            field,
            _("Nested repetition such as (a+)+ can take forever to check; simplify the pattern."),
            "unsafe_pattern",
        )
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValidationFailed.field(
            field, _("Not a valid regular expression: %(why)s") % {"why": exc}, "invalid_pattern"
        ) from None


def format_test(rule: EntryRule) -> Callable[[str], bool]:
    """The function telling whether a non-empty value follows ``rule``'s format."""
    if rule.format != RuleFormat.REGEX:
        return FORMAT_TESTS[rule.format]
    compiled = compile_pattern(rule.pattern)
    return lambda v: len(v) <= MAX_REGEX_INPUT and compiled.fullmatch(v) is not None
