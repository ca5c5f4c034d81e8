"""Every domain table carries the workspace key, and scoped querysets say so out loud."""

from __future__ import annotations

import pytest
from django.apps import apps

from vinculo.core.models import AuditEntry

# Tables that are not owned by one workspace, and why.
GLOBAL_MODELS = {
    "workspaces.Workspace": "the tenant itself",
    "workspaces.User": "a person may belong to several workspaces (through Membership)",
    "core.ScheduledRun": "a recurring task of the installation (one row per schedule)",
}


def _vinculo_models():
    return [m for m in apps.get_models() if m.__module__.startswith("vinculo.")]


def test_every_domain_model_has_a_workspace_key():
    missing = []
    for model in _vinculo_models():
        label = model._meta.label
        if label in GLOBAL_MODELS:
            continue
        field = next((f for f in model._meta.fields if f.name == "workspace"), None)
        if field is None or field.related_model is not apps.get_model("workspaces.Workspace"):
            missing.append(label)
        elif field.null:
            missing.append(f"{label} (nullable)")
    assert not missing, f"models without a workspace key: {missing}"
    assert len(_vinculo_models()) > len(GLOBAL_MODELS)  # the walk saw the domain models


def test_scoped_queryset_only_returns_its_workspace(ana, carla):
    mine = AuditEntry.objects.for_workspace(ana.workspace)
    assert mine.exists()
    assert set(mine.values_list("workspace_id", flat=True)) == {ana.workspace.pk}
    assert (
        AuditEntry.objects.for_workspace(carla.workspace.pk)
        .exclude(workspace=carla.workspace)
        .count()
        == 0
    )


def test_scoping_with_an_unsaved_workspace_is_refused():
    from vinculo.core.tenancy import Workspace

    with pytest.raises(ValueError, match="saved workspace"):
        AuditEntry.objects.for_workspace(Workspace(name="x"))
