"""Duplicates in a real browser: find them with progress, review the pair, merge with a pick."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.worker import run_burst
from vinculo.quality.models import MergeRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_find_review_and_merge_a_duplicate(page, ana):
    kept = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Conceição", "last_name": "Evaristo", "email": "ceicao@e.com.br",
              "city": "Belo Horizonte"},
    )  # fmt: skip
    other = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Conceicao", "last_name": "Evaristo", "email": "CEICAO@E.COM.BR",
              "phone": "+5531987654321"},
    )  # fmt: skip
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/quality/duplicates/")
    page.click("#find-duplicates")
    page.wait_for_selector("#dedupe-progress[hx-trigger]")  # polling every second
    run_burst(mode="db")  # the worker runs the detection task
    page.wait_for_selector("#dedupe-result", timeout=15_000)
    page.click("#dedupe-result a")
    pair = page.locator(".dedupe-pair").first
    assert pair.locator("text=Conceicao Evaristo").count() >= 1
    screenshot(page, "duplicates-pt")
    pair.locator("a.button.primary").click()
    page.wait_for_selector("#merge-form")
    page.check("input[name='pick_first_name'][value='survivor']")
    assert page.locator("input[name='pick_phone'][value='loser']").is_checked()
    page.click("#merge-submit")
    page.wait_for_selector(".message.success")
    merged = Person.objects.get(pk=kept.pk)
    assert (merged.first_name, merged.phone) == ("Conceição", "+5531987654321")
    assert Person.objects.get(pk=other.pk).deleted_at is not None
    record = MergeRecord.objects.get(workspace=ana.workspace)
    page.locator(f"#merge-{record.pk} button").click()
    page.wait_for_selector(".message.success")
    assert Person.objects.get(pk=other.pk).deleted_at is None
