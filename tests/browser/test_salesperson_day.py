"""A salesperson's day, end to end in a real browser, in pt-BR and in English (issue 14).

Among 2,000 people: find one by a phone spelled the way people type it, open the 360° page, log
a call (its fields on the timeline), leave a task, create a deal for that person from their page
(the picker preselected), drag it to the next stage (the card stays, the move is confirmed with
an undo) and mark another deal lost with a listed reason.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from vinculo.activities.models import Activity
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.sales import services as sales
from vinculo.sales.models import Deal, LostReason, Stage

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "pt-br": {"deal": "Negócio", "moved": "Movido", "undo": "Desfazer", "min": "12 min"},
    "en": {"deal": "Deal", "moved": "Moved", "undo": "Undo", "min": "12 min"},
}


def _crowd(ana) -> None:
    """2,000 people, most of them named alike, so nothing is found by luck."""
    Person.objects.bulk_create(
        Person(
            workspace=ana.workspace,
            first_name=f"Ana {n:04d}",
            last_name="Souza" if n % 2 else "Prado",
            phone=f"+55119{n:08d}",
        )
        for n in range(1999)
    )


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_a_salesperson_s_day(page, ana, language):
    words = WORDS[language]
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    _crowd(ana)
    joana = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joana", "last_name": "Prado", "phone": "+5571982061917"},
    )
    pipeline = sales.ensure_default_pipeline(actor=ana.actor)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    open_stages = [s for s in stages if s.kind == "open"]
    lost_stage = next(s for s in stages if s.kind == "lost")
    other = sales.create_deal(
        actor=ana.actor,
        data={"title": "Coffee break da feira", "amount": "800.00", "stage_id": open_stages[1].pk},
    )

    # 1. Find Joana by her phone, typed with a space and a dash, among 2,000 people.
    log_in(page, ana.user.email, PASSWORD)
    page.fill("#global-search", "71 98206-1917")
    page.wait_for_selector("#global-search-results >> text=Joana Prado")
    page.locator("#global-search-results >> text=Joana Prado").click()
    page.wait_for_url(f"{page.base}/people/{joana.pk}/")

    # 2. Log a call: direction, outcome and minutes show on the timeline.
    form = page.locator("#log-activity")
    form.locator("input[name=subject]").fill("Retorno do orçamento")
    form.locator("select[name=call_outcome]").select_option("connected")
    form.locator("input[name=duration_minutes]").fill("12")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    page.reload()
    call_entry = page.locator("#timeline li", has_text="Retorno do orçamento").first
    assert words["min"] in call_entry.inner_text()

    # 3. Leave a task for Friday.
    page.locator("#log-activity input[name=kind][value=task]").check()
    page.locator("#log-activity input[name=subject]").fill("Enviar a proposta")
    page.locator("#log-activity input[name=due_at]").fill("2030-01-10T10:00")
    page.locator("#log-activity button[type=submit]").click()
    page.wait_for_selector(".message.success")
    task = Activity.objects.get(kind="task", subject="Enviar a proposta")
    assert task.person_id == joana.pk

    # 4. A new deal from her page: the form comes with Joana picked.
    page.locator("#deals a.button", has_text=words["deal"]).click()
    page.wait_for_url(f"**/deals/new/?person={joana.pk}")
    assert page.locator("#id_person_id").input_value() == "Joana Prado"
    page.fill("#id_title", "Pães para o café")
    page.fill("input[name=amount]", "3150")
    page.locator("form.form-grid button[type=submit]").click()
    page.wait_for_selector(".message.success")
    deal = Deal.objects.get(title="Pães para o café")
    assert (deal.person_id, deal.stage_id) == (joana.pk, open_stages[0].pk)

    # 5. Drag it to the next stage: it stays in sight, the move is confirmed with an undo.
    page.goto(page.base + "/deals/")
    card = page.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    target = page.locator(f'.board-column[data-stage-id="{open_stages[1].pk}"]')
    card.drag_to(target.locator(".board-cards"))
    target.locator(f'.deal-card[data-deal-id="{deal.pk}"]:not(.moving)').wait_for()
    toast = page.locator("#board-toast")
    toast.locator(f"text={words['undo']}").wait_for()
    assert words["moved"] in toast.inner_text()
    assert target.locator(".column-count").inner_text() == "2"
    deal.refresh_from_db()
    assert deal.stage_id == open_stages[1].pk

    # 6. Mark the other deal lost with a listed reason.
    other_card = page.locator(f'.deal-card[data-deal-id="{other.pk}"]')
    other_card.locator(".move-to summary").click()
    other_card.locator("select[name=stage_id]").select_option(str(lost_stage.pk))
    other_card.locator(".move-form button[type=submit]").click()
    dialog = page.locator("#lost-dialog")
    dialog.wait_for(state="visible")
    price = LostReason.objects.get(pipeline=pipeline, code="price")
    dialog.locator("select[name=lost_reason_id]").select_option(str(price.pk))
    dialog.locator("button[value=ok]").click()
    page.locator(
        f'.board-column[data-stage-id="{lost_stage.pk}"] '
        f'.deal-card[data-deal-id="{other.pk}"]:not(.moving)'
    ).wait_for()
    other.refresh_from_db()
    assert (other.status, other.lost_reason_id) == ("lost", price.pk)
