"""The CSV file of a KPI page: what the page shows, the period's value (with the previous
period's), its series (each bucket with the previous period's bucket of the same rank beside it,
and that bucket's days) and, when cut, its groups. UTF-8 with a BOM, every field quoted, as the
exports are; days in ISO form, numbers in plain form (percentages in percent, durations in
days, money in the page's currency); text a spreadsheet would run as a formula is escaped."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from vinculo.core.exports import safe_text
from vinculo.core.kpis import Kpi, Measurement, Unit
from vinculo.insights import presenting
from vinculo.insights.reading import Reading

CENT = Decimal("0.01")


def cell(kpi: Kpi, value: Any) -> str:
    """A value as the file holds it: money to the cent, exactly; other units as the charts
    draw them (:func:`presenting.plain`)."""
    if value is None:
        return ""
    if kpi.unit is Unit.MONEY:
        return str(Decimal(str(value)).quantize(CENT))
    return str(presenting.plain(kpi, value))


def kpi_csv(reading: Reading, m: Measurement) -> str:
    """The file's text (the caller encodes it); ``m`` is ``reading``'s measurement."""
    kpi = reading.kpi
    unit = presenting.unit_suffix(kpi, m.currency)
    value_heading = f"{_('Value')} ({unit})" if unit else _("Value")
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(
        [
            safe_text(h)
            for h in (
                _("Section"),
                _("First day"),
                _("Last day"),
                presenting.dimension_label(reading.group_by) if reading.group_by else _("Group"),
                value_heading,
                _("Previous period"),
                _("Previous first day"),
                _("Previous last day"),
            )
        ]
    )
    writer.writerow(
        [
            _("Period"),
            m.start.isoformat(),
            m.end.isoformat(),
            "",
            cell(kpi, m.value),
            cell(kpi, m.previous),
            m.previous_start.isoformat(),
            m.previous_end.isoformat(),
        ]
    )
    series = _("Series")
    for point, previous in zip(m.series, reading.previous_points(), strict=True):
        writer.writerow(
            [
                series,
                point.start.isoformat(),
                point.end.isoformat(),
                "",
                cell(kpi, point.value),
                cell(kpi, previous.value if previous else None),
                previous.start.isoformat() if previous else "",
                previous.end.isoformat() if previous else "",
            ]
        )
    group = _("Group")
    for _key, label, value in m.groups:
        writer.writerow(
            [
                group,
                m.start.isoformat(),
                m.end.isoformat(),
                safe_text(str(label)),
                cell(kpi, value),
                "",
                "",
                "",
            ]
        )
    return "\ufeff" + out.getvalue()


def file_name(m: Measurement) -> str:
    return f"{m.kpi.key}_{m.start.isoformat()}_{m.end.isoformat()}.csv"
