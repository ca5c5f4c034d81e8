"""The review screens: schedule one (a bad date named, the input kept), freeze and hold it, its
frozen goals, KPIs and budgets with their charts' data, findings and decisions (each a task),
the documents; in Portuguese for a pt-BR user; a viewer sees no forms; another workspace 404s."""

from __future__ import annotations

import json
import re

from freezegun import freeze_time

from tests.strategy.test_reviews import make_plan, spend
from vinculo.activities.models import Activity
from vinculo.strategy.models import Review, ReviewStatus


def _chart(page: str, name: str) -> dict:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)
    assert found, name
    return json.loads(found.group(1))


def test_a_review_walked_through_its_screens_in_portuguese(ana, bruno):
    plan, tactic, _goal = make_plan(ana)
    spend(ana, tactic, "2500.00")
    web = ana.web(language="pt-br")
    bad = web.post("/strategy/reviews/", {"held_on": "31/06/2026", "title": "Trimestral"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Informe a data no formato AAAA-MM-DD." in page
    assert 'value="Trimestral"' in page  # the input kept
    made = web.post("/strategy/reviews/", {"held_on": "2026-06-30", "title": ""})
    review = Review.objects.get(plan=plan)
    assert made.status_code == 302 and made["Location"] == f"/strategy/reviews/{review.pk}/"
    url = made["Location"]
    page = web.get(url).content.decode()
    assert "Revisão de 2026-06-30" in page and "Congelar os números" in page
    with freeze_time("2026-06-30 12:00:00"):
        assert web.post(f"{url}freeze/").status_code == 302
    page = web.get(url).content.decode()
    assert "50 pessoas novas no trimestre" in page and "No rumo" in page
    status = _chart(page, "review-status-data")
    assert status["labels"] == ["No rumo"] and status["series"][0]["values"] == [1]
    budget = _chart(page, "review-budget-data")
    # Vendas: R$ 10,000 planned, R$ 2,500 spent (plain numbers: the browser formats them).
    assert budget["labels"] == ["Vendas"] and budget["unit"] == "money"
    assert [s["values"] for s in budget["series"]] == [[10000.0], [2500.0]]
    assert web.post(f"{url}edit/", {"findings": "Faltaram ligações."}).status_code == 302
    decided = web.post(
        f"{url}decisions/", {"text": "Contratar SDR", "owner_id": str(bruno.user.pk)}
    )
    assert decided.status_code == 302
    assert Activity.objects.get(subject="Contratar SDR").assignee_id == bruno.user.pk
    refused = web.post(f"{url}decisions/", {"text": "", "owner_id": ""})
    assert refused.status_code == 422 and "Diga o que foi decidido." in refused.content.decode()
    assert web.post(f"{url}hold/").status_code == 302
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.HELD
    page = web.get(url).content.decode()
    assert "Faltaram ligações." in page and "Contratar SDR" in page
    assert 'id="hold"' not in page  # held: no more freezing or holding
    pdf = web.get(f"{url}document.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    listing = web.get("/strategy/reviews/").content.decode()
    assert "Realizada" in listing and "Agendada" in listing  # held, and the next scheduled


def test_a_viewer_reads_without_forms_and_another_workspace_gets_404(ana, vera, carla):
    plan, _tactic, _goal = make_plan(ana)
    web = ana.web()
    web.post("/strategy/reviews/", {"held_on": "2026-06-30"})
    review = Review.objects.get(plan=plan)
    url = f"/strategy/reviews/{review.pk}/"
    page = vera.web().get(url).content.decode()
    assert "Review of 2026-06-30" in page and 'id="decision-new"' not in page
    assert vera.web().post(f"{url}freeze/").status_code == 403
    theirs = carla.web()
    assert theirs.get(url).status_code == 404
    assert theirs.get(f"{url}document.xlsx").status_code == 404
    assert theirs.post(f"{url}hold/").status_code == 404
    assert "Review of" not in theirs.get("/strategy/reviews/").content.decode()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SCHEDULED
