"""A sales rep's call in a real browser: global search, the person's page, log a call, tasks."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.activities import services as activities
from vinculo.activities.models import Activity
from vinculo.contacts import services as contacts

pytestmark = pytest.mark.django_db(transaction=True)


def test_find_a_person_with_the_global_search_and_log_a_call(page, ana):
    joana = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joana", "last_name": "Prado", "email": "joana@padaria.com.br"},
    )
    contacts.create_company(actor=ana.actor, data={"name": "Padaria Joaninha"})
    task = activities.create_task(
        actor=ana.actor,
        data={"subject": "Enviar o catálogo", "person_id": joana.pk, "due_at": "2024-03-01T10:00"},
    )
    log_in(page, ana.user.email, PASSWORD)
    page.keyboard.press("c")  # the "+ New" menu
    assert page.locator(".quick-create .menu a[href='/tasks/new/']").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(".quick-create .menu").is_visible()

    page.keyboard.press("/")  # the shortcut focuses the global search
    page.keyboard.type("joan")
    page.wait_for_selector("#global-search-results [role=option] >> text=Joana Prado")
    assert page.locator("#global-search-results >> text=Padaria Joaninha").count() == 1
    page.keyboard.press("ArrowDown")
    assert "active" in (
        page.locator("#global-search-results .search-option").first.get_attribute("class") or ""
    )
    screenshot(page, "search-pt")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base}/people/{joana.pk}/")

    form = page.locator("#log-activity")
    assert form.locator("select[name=call_outcome]").is_visible()  # a call is the default kind
    assert not form.locator("input[name=due_at]").is_visible()
    form.locator("input[name=subject]").fill("Retorno do orçamento")
    form.locator("textarea[name=body]").fill("Quer 50 pães por dia.")
    form.locator("select[name=call_outcome]").select_option("connected")
    form.locator("input[name=duration_minutes]").fill("7")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    page.reload()
    timeline = page.locator("#timeline")
    assert timeline.locator("text=Retorno do orçamento").count() == 1
    assert timeline.locator("text=Quer 50 pães por dia.").count() == 1
    call = Activity.objects.get(kind="call")
    assert (call.call_outcome, call.duration_seconds, call.person_id) == (
        "connected",
        420,
        joana.pk,
    )

    page.locator("#log-activity input[name=kind][value=task]").check()
    assert page.locator("#log-activity input[name=due_at]").is_visible()
    assert not page.locator("#log-activity select[name=call_outcome]").is_visible()

    page.goto(page.base + "/tasks/?when=overdue")
    row = page.locator(f"#task-{task.pk}")
    assert row.locator("text=Enviar o catálogo").count() == 1
    screenshot(page, "tasks-pt")
    row.locator("button.check-button").click()  # one click, the row updates in place
    page.wait_for_selector(f"#task-{task.pk}.done")
    task.refresh_from_db()
    assert task.completed_at is not None


def test_the_top_bar_on_a_phone(page, ana):
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana", "last_name": "Prado"})
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, ana.user.email, PASSWORD)
    assert page.locator("#global-search").is_visible()
    assert not page.locator(".topbar-account").is_visible()  # folded behind the account button
    bar = page.locator(".topbar").bounding_box()
    assert bar is not None and bar["width"] <= 375 and bar["height"] <= 60
    page.fill("#global-search", "joana")
    page.wait_for_selector("#global-search-results >> text=Joana Prado")
    box = page.locator("#global-search-results").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.keyboard.press("Escape")
    page.click(".quick-create summary")
    assert page.locator(".quick-create .menu >> text=/Task|Tarefa/").is_visible()
    page.click("[data-toggle-account]")
    assert page.locator(".topbar-account").is_visible()
