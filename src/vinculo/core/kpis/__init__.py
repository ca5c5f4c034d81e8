"""The KPI registry: every metric declared once, by the app that owns its data.

A :class:`Kpi` says what it measures (key, name and definition in words, unit, which direction is
good), what it can be cut by (its dimensions: period, pipeline, owner, team, source, lifecycle
stage and a segment, any filter-language condition on people or deals) and how it is measured:

- an **event** KPI names the rows it counts (a queryset), the moment each happened and the value
  it adds (an amount, a duration, a yes/no), and how they are aggregated (count, sum, mean,
  median, rate). One query fetches the rows of the period and of the previous period; they are
  bucketed by day, week, month or quarter in the workspace's time zone.
- a **snapshot** KPI (pipeline value, open deals) is measured as of a moment: at the end of the
  period and at the end of each bucket.
- a **computed** KPI (CAC: spend ÷ new customers) gives its own ``compute``, called with the
  scope and the :class:`Frame` (periods, buckets, grouping, the currency converter), answering
  the same series, value, previous value and groups.

Money KPIs count one currency at a time, or with ``Scope.currency == "converted"`` every
currency converted into the workspace's at the rates it entered (:mod:`vinculo.core.currency`);
the currencies and months without a rate come back in ``Measurement.missing_rates``.

Apps register theirs in ``AppConfig.ready()`` with :func:`register`; later apps (email, tickets,
surveys, goals) do the same. :func:`measure` answers for any of them: the value, the previous
period's, the series and the value per group, the same for the API (``/api/v1/kpis``), the
command line (``vinculo kpi``), dashboards and goals.
"""

from __future__ import annotations

from vinculo.core.kpis.columnar import Columns, Request
from vinculo.core.kpis.elapsed import Elapsed
from vinculo.core.kpis.engine import measure, narrow, periods
from vinculo.core.kpis.registry import (
    DIMENSIONS,
    Aggregate,
    Computed,
    Dimension,
    Direction,
    Frame,
    Grain,
    Kpi,
    Measurement,
    Scope,
    Unit,
    all_kpis,
    get,
    register,
    register_dimension,
)

__all__ = [
    "DIMENSIONS",
    "Aggregate",
    "Columns",
    "Computed",
    "Dimension",
    "Direction",
    "Elapsed",
    "Frame",
    "Grain",
    "Kpi",
    "Measurement",
    "Request",
    "Scope",
    "Unit",
    "all_kpis",
    "get",
    "measure",
    "narrow",
    "periods",
    "register",
    "register_dimension",
]
