"""The lost reasons migration: free-text reasons become a listed reason plus the note, every
pipeline gets the defaults, and going back gives the free text again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.migrating import migrate_to

# Strategy's goals need sales' 0004: it is unapplied while sales is moved back.
BEFORE = [("sales", "0002_board_indexes"), ("strategy", None)]
AFTER = [("sales", "0003_lost_reasons"), ("strategy", None)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_afterwards")
def test_free_text_reasons_are_matched_to_the_defaults_and_back():
    apps = migrate_to(BEFORE)
    Workspace = apps.get_model("workspaces", "Workspace")
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    Deal = apps.get_model("sales", "Deal")
    workspace = Workspace.objects.create(name="Padaria", slug="padaria-mig", locale="pt-BR")
    pipeline = Pipeline.objects.create(workspace=workspace, name="Vendas", is_default=True)
    empty = Pipeline.objects.create(workspace=workspace, name="Sem negócios", position=1)
    lost = Stage.objects.create(workspace=workspace, pipeline=pipeline, name="Perdido", kind="lost")
    texts = {
        "Preço acima do orçamento": "price",
        "Escolheu um CONCORRENTE": "competitor",
        "Sem orçamento neste ano": "no_budget",
        "Sem resposta do cliente": "timing",
        "Fora do perfil de cliente": "no_fit",
        "Mudou de cidade": "other",
    }
    for text in texts:
        Deal.objects.create(
            workspace=workspace, title=text, pipeline=pipeline, stage=lost, status="lost",
            closed_at=timezone.now(), lost_reason=text,
        )  # fmt: skip

    apps = migrate_to(AFTER)
    LostReason = apps.get_model("sales", "LostReason")
    Deal = apps.get_model("sales", "Deal")
    for pk in (pipeline.pk, empty.pk):
        codes = list(LostReason.objects.filter(pipeline_id=pk).order_by("position"))
        assert [r.code for r in codes] == [
            "price", "competitor", "no_budget", "timing", "no_fit", "other",
        ]  # fmt: skip
    for deal in Deal.objects.select_related("lost_reason"):
        assert (deal.lost_reason.code, deal.lost_note) == (texts[deal.title], deal.title)

    apps = migrate_to(BEFORE)
    Deal = apps.get_model("sales", "Deal")
    assert sorted(Deal.objects.values_list("lost_reason", flat=True)) == sorted(texts)
    migrate_to(AFTER)  # leave the database as the other tests expect it
