"""A widget's CSV file, as the KPI page's (:mod:`vinculo.insights.downloads`): UTF-8 with a
BOM, every field quoted, days in ISO form, numbers in plain form (percentages in percent,
durations in days, money in the currency named in the heading), text a spreadsheet would run as
a formula escaped. Rows: the period's value (with the previous period's), the series, the groups
(a leaderboard's or table's), a funnel's steps. A cohort heat map's file is the cohort report's
(:func:`vinculo.insights.report_csv.cohort_rows`: one row per cohort and month offset)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from vinculo.core.exports import safe_text
from vinculo.insights import presenting
from vinculo.insights.dashboards.data import WidgetData
from vinculo.insights.downloads import cell
from vinculo.insights.report_csv import cohort_rows, csv_text


def _heading(found: WidgetData) -> list[str]:
    m, kpi = found.measurement, found.kpi
    unit = presenting.unit_suffix(kpi, m.currency) if kpi and m else ""
    value = f"{_('Value')} ({unit})" if unit else _("Value")
    return [_("Section"), _("First day"), _("Last day"), _("Label"), value, _("Previous period")]


def widget_csv(found: WidgetData) -> str:
    if found.cohorts is not None:
        return csv_text(*cohort_rows(found.cohorts))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow([safe_text(h) for h in _heading(found)])
    first, last = found.start.isoformat(), found.end.isoformat()
    m, kpi = found.measurement, found.kpi
    if m is not None and kpi is not None:
        writer.writerow([_("Period"), first, last, "", cell(kpi, m.value), cell(kpi, m.previous)])
        for p in m.series:
            writer.writerow(
                [_("Series"), p.start.isoformat(), p.end.isoformat(), "", cell(kpi, p.value), ""]
            )
        for _key, label, value in m.groups:
            row: list[Any] = [_("Group"), first, last, safe_text(str(label)), cell(kpi, value), ""]
            writer.writerow(row)
    for step in found.steps:
        writer.writerow([_("Stage"), first, last, safe_text(step["label"]), step["deals"], ""])
    return "\ufeff" + out.getvalue()


def file_name(found: WidgetData, title: str) -> str:
    name = slugify(title) or found.widget.kind
    return f"{name}_{found.start.isoformat()}_{found.end.isoformat()}.csv"
