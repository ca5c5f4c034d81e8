"""The workspaces made before the glossary existed get the default terms from the data migration,
in their language, once; a term they already have (by its folded spelling) is kept."""

from __future__ import annotations

import pytest

from tests.migrating import migrate_to
from vinculo.strategy.glossary_defaults import DEFAULT_TERMS
from vinculo.strategy.models import GlossaryTerm

BEFORE = [("strategy", "0003_experience_policy_day_evidence_view")]
AFTER = [("strategy", "0004_experience_glossary_defaults")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_afterwards")
def test_workspaces_made_before_get_the_glossary_once():
    apps = migrate_to(BEFORE)
    Workspace = apps.get_model("workspaces", "Workspace")
    bare = Workspace.objects.create(name="Padaria", slug="padaria-glossario", locale="pt-BR")
    english = Workspace.objects.create(name="Bakery", slug="bakery-glossary", locale="en")
    used = Workspace.objects.create(name="Oficina", slug="oficina-glossario", locale="pt-br")
    apps.get_model("strategy", "GlossaryTerm").objects.create(
        workspace=used, term="CHURN", term_key="churn", definition="Cancelamentos do mês."
    )

    migrate_to(AFTER)
    assert GlossaryTerm.objects.filter(workspace_id=bare.pk).count() == len(DEFAULT_TERMS)
    customer = GlossaryTerm.objects.get(workspace_id=bare.pk, lifecycle_stage="customer")
    assert (customer.term, customer.definition) == ("Cliente", "Comprou ao menos uma vez.")
    win_rate = GlossaryTerm.objects.get(workspace_id=english.pk, kpi_key="win_rate")
    assert (win_rate.term, win_rate.term_key) == ("Win rate", "win rate")
    # the workspace's own "CHURN" stays as it was; the others are added
    own = GlossaryTerm.objects.get(workspace_id=used.pk, term_key="churn")
    assert (own.term, own.definition, own.kpi_key) == ("CHURN", "Cancelamentos do mês.", "")
    assert GlossaryTerm.objects.filter(workspace_id=used.pk).count() == len(DEFAULT_TERMS)

    migrate_to(BEFORE)  # going back keeps them
    migrate_to(AFTER)  # and forward again makes nothing twice
    assert GlossaryTerm.objects.filter(workspace_id=bare.pk).count() == len(DEFAULT_TERMS)
