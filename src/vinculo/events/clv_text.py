"""Churn-risk reasons and model warnings in words, in the reader's language: what
:mod:`vinculo.events.services.clv` stores is a code plus parameters (docs/kpis.md, "Churn risk")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vinculo.core.formats import format_number, format_percent


def _days(n: Any) -> str:
    count = int(n or 0)
    return ngettext("%(n)s day", "%(n)s days", count) % {"n": format_number(count)}


def _silence(params: dict[str, Any]) -> str:
    days = _days(params.get("days", 0))
    if params.get("contacted"):
        return _("No purchase, and no contact for %(days)s") % {"days": days}
    return _("No purchase for %(days)s") % {"days": days}


def _against(params: dict[str, Any]) -> str:
    values = {
        "ratio": format_number(params.get("ratio", 0), 1),
        "cadence": format_number(params.get("cadence", 0), 1),
    }
    if params.get("typical"):
        return (
            _(
                "%(ratio)s times the %(cadence)s days between purchases usual in this workspace "
                "(one purchase so far)"
            )
            % values
        )
    return _("%(ratio)s times their usual %(cadence)s days between purchases") % values


def churn_reason_text(code: str, params: dict[str, Any] | None) -> str:
    """The stored reason in words, e.g. "No purchase for 120 days: 4.0 times their usual 30.0 days
    between purchases." ("" for an unknown or empty code)."""
    p = params or {}
    if code in {"overdue", "late", "on_track"}:
        return _("%(silence)s: %(against)s.") % {"silence": _silence(p), "against": _against(p)}
    if code in {"unlikely_alive", "p_alive_falling"}:
        return _("%(chance)s likely to still be a customer (BG/NBD model); %(silence)s.") % {
            "chance": format_percent(100 * float(p.get("p_alive", 0))),
            "silence": _silence(p).lower(),
        }
    if code == "no_cadence":
        return _("%(silence)s; one purchase so far and no usual cadence to compare with.") % {
            "silence": _silence(p)
        }
    return ""


def warning_text(code: str, params: dict[str, Any] | None) -> str:
    """A fit warning in words ("" for an unknown code)."""
    p = params or {}
    if code == "too_few_repeat_buyers":
        return _(
            "Too few repeat buyers to fit the models: %(found)s found, the minimum is %(minimum)s."
        ) % {
            "found": format_number(p.get("found", 0)),
            "minimum": format_number(p.get("minimum", 0)),
        }
    if code == "bgnbd_not_converged":
        return _("The BG/NBD fit did not converge: no purchase predictions.")
    if code == "gamma_gamma_not_converged":
        return _("The Gamma-Gamma fit did not converge: no value predictions.")
    if code == "parameter_at_edge":
        return _(
            "%(model)s: the data do not pin down %(names)s (the fit stopped at the edge of the "
            "range); the predictions use that limit."
        ) % {"model": p.get("model", ""), "names": ", ".join(p.get("parameters", []))}
    if code == "spend_model_unusable":
        return _(
            "The Gamma-Gamma fit gave q = %(q)s (it must exceed 1 for an expected amount): no "
            "value predictions."
        ) % {"q": format_number(p.get("q", 0), 3)}
    return ""
