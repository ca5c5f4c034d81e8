"""Insights' tables: the dashboards and their widgets (:mod:`vinculo.insights.dashboards`)."""

from vinculo.insights.dashboards.models import (
    Dashboard,
    DashboardScope,
    DashboardSettings,
    Widget,
    WidgetKind,
)

__all__ = ["Dashboard", "DashboardScope", "DashboardSettings", "Widget", "WidgetKind"]
