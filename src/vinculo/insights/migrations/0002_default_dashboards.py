"""Every workspace has the default dashboards (Sales, Marketing, Service, Management): they are
made with the workspace now (``insights.dashboards.services.make_default_dashboards``), so the
workspaces made before get them here, as that service would have made them. The widgets are
copied as they stand today (a migration must not follow later changes to the services). A
workspace that already has a default dashboard of a kind keeps it. Going back leaves them.
"""

from django.db import migrations

# kind → its widgets: (kind, KPI, width, grain, period, group_by, limit)
WIDGETS = {
    "sales": [
        ("number", "win_rate", 1, "week", "last_30", "", 5),
        ("number", "new_revenue", 1, "week", "last_30", "", 5),
        ("number", "pipeline_value", 1, "week", "last_30", "", 5),
        ("number", "sales_cycle", 1, "week", "last_30", "", 5),
        ("bar", "new_revenue", 2, "month", "last_12_months", "", 5),
        ("funnel", "", 2, "week", "this_quarter", "", 5),
        ("leaderboard", "new_revenue", 2, "week", "this_quarter", "owner", 5),
        ("line", "win_rate", 2, "month", "last_12_months", "", 5),
    ],
    "marketing": [
        ("number", "new_leads", 1, "week", "last_30", "", 5),
        ("number", "lead_to_customer", 1, "week", "last_30", "", 5),
        ("number", "lead_response_time", 1, "week", "last_30", "", 5),
        ("number", "new_people", 1, "week", "last_30", "", 5),
        ("area", "new_leads", 2, "week", "last_90", "", 5),
        ("table", "new_people", 2, "week", "last_90", "source", 5),
    ],
    "service": [
        ("number", "calls", 1, "week", "last_30", "", 5),
        ("number", "meetings", 1, "week", "last_30", "", 5),
        ("number", "lead_response_time", 1, "week", "last_30", "", 5),
        ("leaderboard", "calls", 1, "week", "last_30", "owner", 5),
        ("bar", "meetings", 2, "week", "last_90", "", 5),
        ("line", "lead_response_time", 2, "week", "last_90", "", 5),
    ],
    "management": [
        ("number", "new_customers", 1, "week", "last_30", "", 5),
        ("number", "new_revenue", 1, "week", "last_30", "", 5),
        ("number", "purchase_revenue", 1, "week", "last_30", "", 5),
        ("number", "data_quality_score", 1, "week", "last_30", "", 5),
        ("line", "new_customers", 2, "month", "last_12_months", "", 5),
        ("bar", "purchase_revenue", 2, "month", "last_12_months", "", 5),
    ],
}  # fmt: skip


def _widget(kind, kpi, width, grain, period, group_by, limit):
    return {"kind": kind, "kpi": kpi, "title": "", "filters": {}, "grain": grain,
            "period": period, "group_by": group_by, "limit": limit, "width": width}  # fmt: skip


def forwards(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Dashboard = apps.get_model("insights", "Dashboard")
    Widget = apps.get_model("insights", "Widget")
    for workspace in Workspace.objects.iterator():
        have = set(
            Dashboard.objects.filter(workspace=workspace, is_default=True).values_list(
                "kind", flat=True
            )
        )
        for position, (kind, widgets) in enumerate(WIDGETS.items()):
            if kind in have:
                continue
            dashboard = Dashboard.objects.create(
                workspace=workspace, kind=kind, scope="workspace", position=position,
                is_default=True,
            )  # fmt: skip
            Widget.objects.bulk_create(
                [
                    Widget(workspace=workspace, dashboard=dashboard, position=i, **_widget(*w))
                    for i, w in enumerate(widgets)
                ]
            )


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
