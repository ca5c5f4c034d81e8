"""Every workspace has its tracking key: it is made with the workspace now (not by the first
look at the tracking screen), so the workspaces made before get theirs here. Going back leaves
the keys: a site may already send page views with one."""

import secrets

from django.db import migrations


def forwards(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    TrackingSite = apps.get_model("webforms", "TrackingSite")
    with_site = TrackingSite.objects.values("workspace_id")
    TrackingSite.objects.bulk_create(
        [
            # as webforms.models.new_public_key makes them
            TrackingSite(workspace_id=pk, public_key=secrets.token_urlsafe(12))
            for pk in Workspace.objects.exclude(pk__in=with_site).values_list("pk", flat=True)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("webforms", "0001_initial"),
        ("workspaces", "0003_workspace_require_two_factor"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
