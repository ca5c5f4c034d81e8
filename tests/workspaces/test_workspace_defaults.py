"""What a workspace starts with is made with it: the lifecycle stages, the default pipeline (in
the workspace's language, with its stages and lost reasons) and the tracking key. Workspaces made
before get them from the apps' data migrations. (That reads never make them:
tests/core/test_reads_never_write.py.)"""

from __future__ import annotations

import pytest

from tests.migrating import migrate_to
from vinculo.contacts.models import LifecycleStage
from vinculo.core import workspace_defaults
from vinculo.insights.models import Dashboard, Widget
from vinculo.sales.models import LostReason, Pipeline, Stage
from vinculo.webforms.models import TrackingSite
from vinculo.workspaces import services


def test_a_new_workspace_has_every_registered_default(db):
    new = services.create_workspace(
        name="Mercearia Lua", owner_email="lua@lua.test", owner_password="senha-forte-do-teste-1"
    )
    ws = new.workspace
    assert {d.name for d in workspace_defaults.registered()} >= {
        "contacts.lifecycle_stages",
        "sales.default_pipeline",
        "webforms.tracking_site",
        "insights.dashboards",
    }
    stages = LifecycleStage.objects.for_workspace(ws).order_by("position")
    assert [s.key for s in stages] == [
        "subscriber", "lead", "mql", "sql", "opportunity", "customer", "advocate",
    ]  # fmt: skip
    pipeline = Pipeline.objects.for_workspace(ws).get()
    assert (pipeline.name, pipeline.is_default) == ("Vendas", True)
    assert [s.kind for s in pipeline.stages.order_by("position")] == ["open"] * 4 + ["won", "lost"]
    assert pipeline.lost_reasons.count() == 6
    assert TrackingSite.objects.for_workspace(ws).count() == 1
    assert Dashboard.objects.for_workspace(ws).filter(is_default=True).count() == 4


def test_an_english_workspace_gets_an_english_pipeline(db):
    new = services.create_workspace(
        name="Corner Shop", owner_email="shop@shop.test", owner_password="senha-forte-do-teste-1",
        locale="en",
    )  # fmt: skip
    assert Pipeline.objects.for_workspace(new.workspace).get().name == "Sales"


# --- the data migrations for the workspaces made before ---------------------------------------

BEFORE = [
    ("contacts", "0007_match_identifiers"),
    ("sales", "0003_lost_reasons"),
    ("webforms", "0001_initial"),
    ("insights", "0001_initial"),
    ("scoring", None),  # it needs contacts' 0008: not there yet
    ("events", "0003_customer_value"),  # its 0004 needs contacts' 0008 too
    ("strategy", None),  # its goals need sales' 0004
    ("activities", "0007_kpi_indexes"),  # its 0008 fills in people's first touch: contacts' 0013
]
AFTER = [
    ("contacts", "0008_default_lifecycle_stages"),
    ("sales", "0004_default_pipelines"),
    ("webforms", "0002_tracking_sites"),
    ("insights", "0004_cohort_widget_on_management"),
    ("scoring", "0001_initial"),
    ("events", "0005_customer_tiers"),
    ("strategy", "0006_goals_closed"),
    ("activities", "0008_first_touches"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_afterwards")
def test_workspaces_made_before_get_their_defaults_once():
    apps = migrate_to(BEFORE)
    Workspace = apps.get_model("workspaces", "Workspace")
    bare = Workspace.objects.create(name="Padaria", slug="padaria-mig", locale="pt-BR")
    english = Workspace.objects.create(name="Bakery", slug="bakery-mig", locale="en")
    # a workspace that had opened its deals and tracking screens, then added its own pipeline
    used = Workspace.objects.create(name="Oficina", slug="oficina-mig", locale="pt-BR")
    old_pipeline = apps.get_model("sales", "Pipeline")
    archived = old_pipeline.objects.create(
        workspace=used, name="Antigo", is_default=False, archived_at="2024-01-01T00:00:00Z"
    )
    own = old_pipeline.objects.create(workspace=used, name="Revendas", position=1)
    apps.get_model("contacts", "LifecycleStage").objects.create(
        workspace=used, key="cliente", name="Cliente", phase="growth"
    )
    key = apps.get_model("webforms", "TrackingSite").objects.create(
        workspace=used, public_key="chave-antiga"
    )
    # and had changed its Sales dashboard (a default, by its kind)
    apps.get_model("insights", "Dashboard").objects.create(
        workspace=used, kind="sales", is_default=True, name="Minhas vendas"
    )

    migrate_to(AFTER)
    for ws in (bare.pk, english.pk):
        assert LifecycleStage.objects.filter(workspace_id=ws).count() == 7
        pipeline = Pipeline.objects.get(workspace_id=ws)
        assert pipeline.is_default
        assert Stage.objects.filter(pipeline=pipeline).count() == 6
        assert LostReason.objects.filter(pipeline=pipeline).count() == 6
        assert TrackingSite.objects.filter(workspace_id=ws).count() == 1
        kinds = Dashboard.objects.filter(workspace_id=ws).values_list("kind", flat=True)
        assert sorted(kinds) == ["management", "marketing", "sales", "service"]
        assert Widget.objects.filter(workspace_id=ws, dashboard__kind="sales").count() == 8
        # the Management dashboard ends with the cohort heat map (insights/0004)
        management = Widget.objects.filter(workspace_id=ws, dashboard__kind="management")
        assert [(w.kind, w.basis) for w in management.order_by("position")][-1] == (
            "cohort", "purchases",
        )  # fmt: skip
        assert management.count() == 7
    assert Pipeline.objects.get(workspace_id=bare.pk).name == "Vendas"
    # the workspace's own Sales dashboard stays as it was; the three others are made
    assert Dashboard.objects.get(workspace_id=used.pk, kind="sales").name == "Minhas vendas"
    assert Dashboard.objects.filter(workspace_id=used.pk).count() == 4
    assert Pipeline.objects.get(workspace_id=english.pk).name == "Sales"
    # the workspace's own things stay; its first live pipeline becomes the default
    assert list(
        LifecycleStage.objects.filter(workspace_id=used.pk).values_list("key", flat=True)
    ) == ["cliente"]
    defaults = Pipeline.objects.filter(workspace_id=used.pk).values_list("pk", "is_default")
    assert sorted(defaults) == [(archived.pk, False), (own.pk, True)]
    assert TrackingSite.objects.get(workspace_id=used.pk).public_key == key.public_key
    assert TrackingSite.objects.get(workspace_id=bare.pk).public_key != key.public_key

    migrate_to(BEFORE)  # going back keeps what the workspaces may already use
    assert Pipeline.objects.filter(workspace_id=bare.pk).count() == 1
    migrate_to(AFTER)  # and forward again makes nothing twice
    assert Pipeline.objects.filter(workspace_id=bare.pk).count() == 1
    assert LifecycleStage.objects.filter(workspace_id=bare.pk).count() == 7
    assert TrackingSite.objects.filter(workspace_id=bare.pk).count() == 1
    assert Widget.objects.filter(workspace_id=bare.pk, dashboard__kind="management").count() == 7
    assert Dashboard.objects.filter(workspace_id=bare.pk).count() == 4
