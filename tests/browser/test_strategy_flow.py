"""The strategy layer walked end to end in a real browser, in pt-BR: a new workspace starts its
plan from a draft, a goal is edited, the data changes and the goal turns at risk (its owner
alerted on the bell), a review is scheduled, frozen, a decision recorded (a task for its owner),
the review held and its PDF downloaded and read back. No request leaves our origin; the console
stays clean."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.browser.conftest import log_in, screenshot
from tests.browser.screens import watch_problems
from tests.conftest import PASSWORD
from vinculo.activities.models import Activity
from vinculo.contacts import services as contacts
from vinculo.strategy.models import Goal, GoalStatus, Review, ReviewStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_new_workspace_to_review_pdf_in_portuguese(page, ana, bruno):
    ana.user.language = "pt-br"
    ana.user.save(update_fields=["language"])
    problems = watch_problems(page)
    log_in(page, ana.user.email, PASSWORD)

    # 1. An empty plan offers the drafts; the B2B services draft writes the plan.
    page.goto(page.base + "/strategy/")
    page.click("#starter-b2b_services")
    page.wait_for_url(page.base + "/strategy/")
    assert "Conquistar mais clientes do perfil certo" in page.content()
    screenshot(page, "strategy-plan")
    goal = Goal.objects.get(workspace=ana.workspace, kpi_key="new_leads")

    # 2. The goal edited: new people, 20 days in, 10 to go, 7 to reach; 5 people so far.
    for i in range(5):
        contacts.create_person(actor=ana.actor, data={"first_name": f"Pessoa {i}"})
    today = timezone.localdate()
    page.goto(page.base + f"/strategy/goals/{goal.pk}/edit/")
    page.select_option("#id_kpi_key", "new_people")
    page.fill("#id_starts_on", (today - timedelta(days=20)).isoformat())
    page.fill("#id_deadline", (today + timedelta(days=10)).isoformat())
    page.fill("#id_target", "7")
    page.click("#goal-form button[type=submit]")
    page.wait_for_url(page.base + f"/strategy/goals/{goal.pk}/")
    page.click("#measure-now")
    page.wait_for_url(page.base + f"/strategy/goals/{goal.pk}/")
    # 5 people in 21 days, forecast about 5.7 of 7: off track.
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.OFF_TRACK

    # 3. The data changes: one more person; measured again, the forecast reaches 97 % of the
    #    target: at risk, and Ana (its owner) is alerted on the bell.
    contacts.create_person(actor=ana.actor, data={"first_name": "Pessoa 5"})
    page.click("#measure-now")
    page.wait_for_url(page.base + f"/strategy/goals/{goal.pk}/")
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.AT_RISK
    assert "Em risco" in page.content()
    assert int(page.inner_text("#notifications-unread")) >= 1
    page.click("#notifications-bell")
    assert "está em risco" in page.content()
    screenshot(page, "strategy-goal-alert")

    # 4. A review: scheduled today, its figures frozen, a decision for Bruno, held.
    page.goto(page.base + "/strategy/reviews/")
    page.fill("#id_held_on", today.isoformat())
    page.click("#review-new button[type=submit]")
    review = Review.objects.get(workspace=ana.workspace, held_on=today)
    page.wait_for_url(page.base + f"/strategy/reviews/{review.pk}/")
    page.click("#freeze")
    page.wait_for_url(page.base + f"/strategy/reviews/{review.pk}/")
    assert page.locator("#review-goals canvas").count() >= 1  # the chart, drawn
    page.fill("#id_text", "Dobrar as ligações para leads novos")
    page.select_option("#id_owner_id", str(bruno.user.pk))
    page.click("#decision-new button[type=submit]")
    page.wait_for_url(page.base + f"/strategy/reviews/{review.pk}/")
    page.click("#hold")
    page.wait_for_url(page.base + f"/strategy/reviews/{review.pk}/")
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.HELD
    task = Activity.objects.get(workspace=ana.workspace, subject__startswith="Dobrar")
    assert task.assignee_id == bruno.user.pk
    screenshot(page, "strategy-review")

    # 5. The PDF, downloaded and read back.
    with page.expect_download() as download:
        page.click("#download-pdf")
    data = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Dobrar as ligações para leads novos" in text and "Metas" in text
    assert problems == [], problems
