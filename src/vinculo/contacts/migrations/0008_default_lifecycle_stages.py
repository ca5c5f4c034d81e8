"""Every workspace has its lifecycle stages: they are made with the workspace now (not by the
first screen that lists them), so the workspaces made before get the default seven here.

The defaults are copied as they stand today (a migration must not follow later changes to
``contacts.services.lifecycle.DEFAULT_LIFECYCLE``). A workspace that has any stage keeps its
own. Going back leaves the stages: people may already be in them.
"""

from django.db import migrations

DEFAULT_LIFECYCLE = [
    ("subscriber", "Assinante", "awareness",
     "Assina a newsletter ou o blog; ainda não demonstrou interesse de compra."),
    ("lead", "Lead", "consideration",
     "Deixou os dados em troca de algo (material, evento) e pode ser trabalhado."),
    ("mql", "MQL", "consideration",
     "Lead qualificado pelo marketing: perfil e engajamento indicam potencial."),
    ("sql", "SQL", "decision", "Lead aceito por vendas para abordagem direta."),
    ("opportunity", "Oportunidade", "decision",
     "Há um negócio aberto com esta pessoa ou empresa."),
    ("customer", "Cliente", "growth", "Comprou ao menos uma vez."),
    ("advocate", "Promotor", "advocacy", "Cliente que indica e defende a marca."),
]  # fmt: skip


def forwards(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    LifecycleStage = apps.get_model("contacts", "LifecycleStage")
    with_stages = LifecycleStage.objects.values("workspace_id")
    for workspace_id in (
        Workspace.objects.exclude(pk__in=with_stages).values_list("pk", flat=True).iterator()
    ):
        LifecycleStage.objects.bulk_create(
            [
                LifecycleStage(
                    workspace_id=workspace_id,
                    key=key,
                    name=name,
                    phase=phase,
                    description=description,
                    position=position,
                )
                for position, (key, name, phase, description) in enumerate(DEFAULT_LIFECYCLE)
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_match_identifiers"),
        ("workspaces", "0003_workspace_require_two_factor"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
