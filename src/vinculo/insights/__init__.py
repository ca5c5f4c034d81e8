"""Insights: the screens that show the registered KPIs (``vinculo.core.kpis``).

``/insights/`` is the overview (a card per KPI, grouped by the app that declares it, over a
period with the previous one for comparison); ``/insights/kpis/<key>/`` one KPI at a grain, cut
by one of its dimensions, with its series and groups as charts, tables and a CSV file.
"""
