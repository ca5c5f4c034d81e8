"""Every workspace has a default pipeline: it is made with the workspace now (not by the first
look at the deals board), so the workspaces made before get it here, as
``sales.services.ensure_default_pipeline`` would have made it: when live pipelines exist but
none is the default, the first becomes the default; a workspace without any live pipeline gets
"Vendas" (or "Sales", by the workspace's language) with six stages and the default lost reasons.

The template is copied as it stands today (a migration must not follow later changes to the
services). Going back leaves the pipelines: deals may already be in them.
"""

from django.db import migrations
from django.db.models import Max

TEMPLATES = {
    "pt": ("Vendas", [
        ("Qualificação", 10, "open", 14),
        ("Reunião", 25, "open", 14),
        ("Proposta", 50, "open", 21),
        ("Negociação", 75, "open", 30),
        ("Ganho", 100, "won", None),
        ("Perdido", 0, "lost", None),
    ]),
    "en": ("Sales", [
        ("Qualification", 10, "open", 14),
        ("Meeting", 25, "open", 14),
        ("Proposal", 50, "open", 21),
        ("Negotiation", 75, "open", 30),
        ("Won", 100, "won", None),
        ("Lost", 0, "lost", None),
    ]),
}  # fmt: skip
LOST_REASON_CODES = ["price", "competitor", "no_budget", "timing", "no_fit", "other"]


def forwards(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    LostReason = apps.get_model("sales", "LostReason")
    live = Pipeline.objects.filter(archived_at__isnull=True)
    with_default = live.filter(is_default=True).values("workspace_id")
    for workspace in Workspace.objects.exclude(pk__in=with_default).iterator():
        first = live.filter(workspace=workspace).order_by("position", "id").first()
        if first is not None:
            first.is_default = True
            first.save(update_fields=["is_default", "updated_at"])
            continue
        language = "pt" if (workspace.locale or "pt").lower().startswith("pt") else "en"
        name, stages = TEMPLATES[language]
        top = Pipeline.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"]
        Pipeline.objects.filter(workspace=workspace, is_default=True).update(is_default=False)
        pipeline = Pipeline.objects.create(
            workspace=workspace,
            name=name,
            is_default=True,
            position=0 if top is None else top + 1,
        )
        Stage.objects.bulk_create(
            [
                Stage(
                    workspace=workspace,
                    pipeline=pipeline,
                    position=position,
                    name=stage,
                    kind=kind,
                    probability=probability,
                    rotting_days=rotting_days,
                )
                for position, (stage, probability, kind, rotting_days) in enumerate(stages)
            ]
        )
        LostReason.objects.bulk_create(
            [
                LostReason(workspace=workspace, pipeline=pipeline, code=code, position=position)
                for position, code in enumerate(LOST_REASON_CODES)
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_lost_reasons"),
        ("workspaces", "0003_workspace_require_two_factor"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
