"""Dashboards: workspace, team and personal pages of widgets, each a KPI (or the pipeline
funnel) with its filters, grain and period.

- ``models``: :class:`Dashboard` and :class:`Widget`;
- ``catalogue``: the widget kinds, period presets and the default dashboards' widgets;
- ``services``: create, change, delete, reorder and resize (permission checks, validation by
  field) and the default dashboards every workspace gets;
- ``selectors``: the dashboards an actor sees, one dashboard, one widget;
- ``data``: a widget's numbers (:func:`vinculo.core.kpis.measure`, the funnel report);
- ``api``: ``/api/v1/dashboards``; ``views`` and ``editing``: ``/insights/dashboards/``.
"""
