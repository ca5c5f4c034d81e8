"""The plan and each review as documents: PDF (ReportLab, charts included) and XLSX (one sheet
per part), worded in the reader's language. A review's document shows its frozen snapshot, not
today's data; the plan's shows the plan as it stands with each goal's latest measurement."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook

from vinculo.core.exports import safe_text
from vinculo.core.formats import format_money, format_number
from vinculo.core.kpis import get
from vinculo.core.kpis.shown import NOTHING, shown
from vinculo.strategy.models import (
    Function,
    GoalStatus,
    Review,
)
from vinculo.strategy.reviews import pdf
from vinculo.strategy.reviews.selectors import compare, decisions_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def kpi_name(key: str) -> str:
    kpi = get(key)
    return str(kpi.name) if kpi else key


def kpi_value(key: str, value: Any, currency: str = "") -> str:
    kpi = get(key)
    number = _decimal(value)
    if kpi is None or number is None:
        return NOTHING if number is None else format_number(number, trim=True)
    return shown(kpi, number, currency)


def status_label(value: str) -> str:
    return str(GoalStatus(value).label) if value in GoalStatus.values else value


def _day(iso: str | None) -> str:
    if not iso:
        return NOTHING
    return date_format(datetime.fromisoformat(iso).date(), "SHORT_DATE_FORMAT")


def _money(amount: Any, currency: str) -> str:
    number = _decimal(amount)
    return NOTHING if number is None else format_money(number, currency or None)


def _goal_rows(goals: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            g["title"],
            kpi_name(g["kpi"]),
            kpi_value(g["kpi"], g.get("baseline"), g.get("currency", "")),
            kpi_value(g["kpi"], g.get("current"), g.get("currency", "")),
            kpi_value(g["kpi"], g.get("target"), g.get("currency", "")),
            kpi_value(g["kpi"], g.get("forecast"), g.get("currency", "")),
            status_label(g.get("status", "")),
            _day(g.get("deadline")),
        ]
        for g in goals
    ]


GOAL_WIDTHS = (0.22, 0.16, 0.1, 0.1, 0.1, 0.1, 0.11, 0.11)


def _goal_header() -> list[str]:
    return [
        _("Goal"),
        _("KPI"),
        _("Baseline"),
        _("Now"),
        _("Target"),
        _("Forecast"),
        _("Status"),
        _("Deadline"),
    ]


def _status_chart(goals: list[dict[str, Any]]) -> Any:
    counts = Counter(g.get("status", "") for g in goals)
    order = [s for s in GoalStatus.values if counts.get(s)]
    return pdf.bar_chart(
        _("Goals by status"),
        [status_label(s) for s in order],
        [(_("Goals"), [counts[s] for s in order])],
    )


def _budget_lines(budgets: list[dict[str, Any]]) -> tuple[list[list[str]], Any | None]:
    """The budget table's rows and a chart of planned against spent per function (in the
    currency most tactics budget in; the others are in the table)."""
    rows = []
    planned: dict[str, Decimal] = defaultdict(Decimal)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    currencies = Counter(b["currency"] for b in budgets if b.get("currency"))
    main = currencies.most_common(1)[0][0] if currencies else ""
    for b in budgets:
        currency = b.get("currency") or ""
        spent_here = (b.get("spent") or {}).get(currency)
        rows.append(
            [
                b["title"],
                str(Function(b["function"]).label) if b["function"] in Function.values else "",
                _money(b.get("planned"), currency),
                ", ".join(_money(v, c) for c, v in sorted((b.get("spent") or {}).items()))
                or NOTHING,
                format_number(_decimal(b.get("planned_hours")) or 0, trim=True),
                format_number(_decimal(b.get("spent_hours")) or 0, trim=True),
            ]
        )
        if currency == main:
            planned[b["function"]] += _decimal(b.get("planned")) or Decimal(0)
            spent[b["function"]] += _decimal(spent_here) or Decimal(0)
    functions = [f for f in Function.values if planned.get(f) or spent.get(f)]
    if not functions:
        return rows, None
    chart = pdf.bar_chart(
        _("Budget by function (%(currency)s)") % {"currency": main},
        [str(Function(f).label) for f in functions],
        [
            (_("Planned"), [float(planned[f]) for f in functions]),
            (_("Spent"), [float(spent[f]) for f in functions]),
        ],
    )
    return rows, chart


def _budget_header() -> list[str]:
    return [_("Tactic"), _("Function"), _("Budget"), _("Spent"), _("Hours"), _("Hours spent")]


# --- a review ---------------------------------------------------------------------------------


def review_pdf(review: Review) -> bytes:
    snap = review.snapshot or {}
    goals, kpis, budgets = snap.get("goals", []), snap.get("kpis", []), snap.get("budgets", [])
    story: list[Any] = []
    story.append(pdf.heading(_("Findings")))
    story.append(pdf.text(review.findings or _("No findings written.")))
    story.append(pdf.heading(_("Goals")))
    if goals:
        story.append(_status_chart(goals))
        story.append(
            pdf.table(
                _goal_header(), _goal_rows(goals), (0.22, 0.16, 0.1, 0.1, 0.1, 0.1, 0.11, 0.11)
            )
        )
    else:
        story.append(pdf.text(_("The plan had no goals.")))
    story.append(pdf.heading(_("KPIs")))
    if kpis:
        story.append(
            pdf.table(
                [_("KPI"), _("This period"), _("Period before")],
                [
                    [
                        kpi_name(k["key"]),
                        kpi_value(k["key"], k.get("value"), k.get("currency", "")),
                        kpi_value(k["key"], k.get("previous"), k.get("currency", "")),
                    ]
                    for k in kpis
                ],
                (0.5, 0.25, 0.25),
            )
        )
    else:
        story.append(pdf.text(_("No KPI was watched.")))
    story.append(pdf.heading(_("Budgets")))
    rows, chart = _budget_lines(budgets)
    if chart is not None:
        story.append(chart)
    story.append(
        pdf.table(_budget_header(), rows, (0.3, 0.14, 0.16, 0.18, 0.11, 0.11))
        if rows
        else pdf.text(_("No tactic had a budget."))
    )
    story.extend(_comparison_story(review))
    story.append(pdf.heading(_("Decisions")))
    decisions = list(decisions_of(review))
    if decisions:
        story.append(
            pdf.table(
                [_("Decision"), _("Owner"), _("Due")],
                [
                    [
                        d.text,
                        (d.owner.full_name or d.owner.email) if d.owner else NOTHING,
                        date_format(d.due_on, "SHORT_DATE_FORMAT") if d.due_on else NOTHING,
                    ]
                    for d in decisions
                ],
                (0.6, 0.25, 0.15),
            )
        )
    else:
        story.append(pdf.text(_("No decisions recorded.")))
    subtitle = _("Period %(start)s to %(end)s · figures frozen on %(frozen)s") % {
        "start": _day(snap.get("start")),
        "end": _day(snap.get("end")),
        "frozen": _day(snap.get("as_of")) if snap.get("as_of") else _("(not frozen yet)"),
    }
    return pdf.render(review.shown_title, subtitle, story, _("Vínculo · CRM plan review"))


def _comparison_story(review: Review) -> list[Any]:
    comparison = compare(review)
    if comparison.previous is None:
        return []
    out: list[Any] = [
        pdf.heading(
            _("Since the previous review (%(date)s)")
            % {"date": date_format(comparison.previous.held_on, "SHORT_DATE_FORMAT")}
        )
    ]
    goals = {g["id"]: g for g in (review.snapshot or {}).get("goals", [])}
    rows = [
        [
            c.label,
            status_label(c.status_then) if c.status_then else NOTHING,
            status_label(c.status_now),
            kpi_value(goals[c.key]["kpi"], c.then, goals[c.key].get("currency", "")),
            kpi_value(goals[c.key]["kpi"], c.now, goals[c.key].get("currency", "")),
        ]
        for c in comparison.goals
    ]
    if rows:
        out.append(
            pdf.table(
                [_("Goal"), _("Status then"), _("Status now"), _("Then"), _("Now")],
                rows,
                (0.32, 0.17, 0.17, 0.17, 0.17),
            )
        )
    return out


def review_xlsx(review: Review) -> bytes:
    snap = review.snapshot or {}
    book = Workbook()
    sheet = book.active
    sheet.title = _("Goals")[:31]
    sheet.append(_goal_header())
    for g in snap.get("goals", []):
        sheet.append(
            [
                safe_text(g["title"]),
                kpi_name(g["kpi"]),
                _decimal(g.get("baseline")),
                _decimal(g.get("current")),
                _decimal(g.get("target")),
                _decimal(g.get("forecast")),
                status_label(g.get("status", "")),
                g.get("deadline"),
            ]
        )
    kpis = book.create_sheet(_("KPIs")[:31])
    kpis.append([_("KPI"), _("Key"), _("This period"), _("Period before"), _("Currency")])
    for k in snap.get("kpis", []):
        kpis.append(
            [
                kpi_name(k["key"]),
                k["key"],
                _decimal(k.get("value")),
                _decimal(k.get("previous")),
                k.get("currency", ""),
            ]
        )
    budgets = book.create_sheet(_("Budgets")[:31])
    budgets.append(
        [
            _("Tactic"),
            _("Objective"),
            _("Budget"),
            _("Currency"),
            _("Spent"),
            _("Hours"),
            _("Hours spent"),
        ]
    )
    for b in snap.get("budgets", []):
        budgets.append(
            [
                safe_text(b["title"]),
                safe_text(b["objective"]),
                _decimal(b.get("planned")),
                b.get("currency", ""),
                _decimal((b.get("spent") or {}).get(b.get("currency") or "")),
                _decimal(b.get("planned_hours")),
                _decimal(b.get("spent_hours")),
            ]
        )
    notes = book.create_sheet(_("Findings and decisions")[:31])
    notes.append([_("Findings")])
    notes.append([safe_text(review.findings)])
    notes.append([])
    notes.append([_("Decision"), _("Owner"), _("Due")])
    for d in decisions_of(review):
        notes.append(
            [
                safe_text(d.text),
                (d.owner.full_name or d.owner.email) if d.owner else "",
                d.due_on.isoformat() if d.due_on else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
