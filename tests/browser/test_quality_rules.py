"""An owner in a real browser: adds an entry rule, sees the records that break it, is stopped by it
on the person form, then switches it off and deletes it (htmx)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts import services
from vinculo.contacts.models import Person
from vinculo.quality.models import EntryRule

pytestmark = pytest.mark.django_db(transaction=True)


def test_entry_rule_flow(page, ana):
    services.create_person(actor=ana.actor, data={"first_name": "Sem", "last_name": "Cargo"})
    log_in(page, ana.user.email, PASSWORD)

    page.goto(page.base + "/settings/")
    page.click("#settings-entry-rules")
    page.wait_for_url("**/quality/rules/")
    page.select_option("#id_field", "job_title")
    page.select_option("#id_kind", "required")
    page.fill("#id_message", "Todo contato precisa de um cargo.")
    page.click("#new-rule button.primary")
    page.wait_for_selector("#rule-violations a")
    rule = EntryRule.objects.get()
    assert page.locator(f"#rule-{rule.pk}").count() == 1
    screenshot(page, "quality-rules-pt")

    # the link lists the record that breaks the rule
    page.click("#rule-violations a")
    page.wait_for_selector("text=Sem Cargo")

    # the person form is refused with the rule's message, what was typed kept
    page.goto(page.base + "/people/new/")
    page.fill("input[name=first_name]", "Rui")
    page.fill("input[name=last_name]", "Lima")
    page.click("form:has(input[name=first_name]) button[type=submit]")
    page.wait_for_selector("text=Todo contato precisa de um cargo.")
    assert page.input_value("input[name=last_name]") == "Lima"
    assert not Person.objects.filter(first_name="Rui").exists()

    # switch it off in place, then delete it
    page.goto(page.base + "/quality/rules/")
    row = f"#rule-{rule.pk}"
    page.click(f"{row} form[action$='/toggle/'] button")
    page.wait_for_function("sel => !document.querySelector(sel + ' .badge')", arg=row)
    rule.refresh_from_db()
    assert not rule.is_active
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"{row} form[action$='/delete/'] button")
    page.wait_for_selector(row, state="detached")
    assert not EntryRule.objects.exists()
