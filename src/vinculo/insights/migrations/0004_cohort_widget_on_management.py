"""The default Management dashboard now ends with a cohort heat map (purchases, the last 12
months, the whole row), as ``insights.dashboards.services.make_default_dashboards`` makes it for
a new workspace; the workspaces made before get it here, at the end of their Management
dashboard. A dashboard that already has a cohort widget, or a workspace without the default
Management dashboard (deleted), is left as it is. Going back leaves the widget."""

from django.db import migrations
from django.db.models import Max

COHORT = {"kind": "cohort", "kpi": "", "basis": "purchases", "title": "", "filters": {},
          "grain": "month", "period": "last_12_months", "group_by": "", "limit": 5,
          "width": 4}  # fmt: skip


def forwards(apps, schema_editor):
    Dashboard = apps.get_model("insights", "Dashboard")
    Widget = apps.get_model("insights", "Widget")
    boards = Dashboard.objects.filter(is_default=True, kind="management").exclude(
        widgets__kind="cohort"
    )
    for dashboard in boards.iterator():
        top = Widget.objects.filter(dashboard=dashboard).aggregate(m=Max("position"))["m"]
        Widget.objects.create(
            workspace_id=dashboard.workspace_id,
            dashboard=dashboard,
            position=0 if top is None else top + 1,
            **COHORT,
        )


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_widget_basis")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
