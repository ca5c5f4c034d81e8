"""An owner in a real browser: a custom choice field, filled on a person, filtered with the visual
filter builder, saved as a view and applied again."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts import services
from vinculo.core.models import SavedView

pytestmark = pytest.mark.django_db(transaction=True)


def test_custom_field_filter_builder_and_saved_view(page, ana):
    joana = services.create_person(
        actor=ana.actor, data={"first_name": "Joana", "last_name": "Prado"}
    )
    services.create_person(actor=ana.actor, data={"first_name": "Marcos", "last_name": "Lima"})
    log_in(page, ana.user.email, PASSWORD)

    # Settings → Custom fields: a "Segmento" choice field for people
    page.goto(page.base + "/settings/fields/?object=person")
    page.fill("#id_label", "Segmento")
    page.select_option("#id_field_type", "choice")
    page.fill("#id_choices", "varejo\natacado")
    page.click("form:has(#id_label) button.primary")
    page.wait_for_selector("table >> text=Segmento")

    # fill it on the person's page, save, reload: it is kept
    page.goto(f"{page.base}/people/{joana.pk}/")
    page.select_option("#cf_segmento", "varejo")
    page.click("#person-fields button[type=submit]")
    page.wait_for_selector("#person-fields .message.success")
    page.reload()
    assert page.input_value("#cf_segmento") == "varejo"

    # the builder: "Segmento is varejo" leaves only Joana
    page.goto(page.base + "/people/")
    assert page.locator("#people-rows >> text=Marcos Lima").count() == 1
    page.click("[data-filter-builder] .fb-add")
    page.select_option(".fb-row .fb-field", "custom_fields.segmento")
    assert page.input_value(".fb-row .fb-op") == "eq"
    page.select_option(".fb-row .fb-input", "varejo")
    page.wait_for_selector("#people-rows >> text=Marcos Lima", state="detached")
    assert page.locator("#people-rows >> text=Joana Prado").count() == 1
    assert "custom_fields.segmento" in page.input_value("textarea[name=filter]")
    screenshot(page, "people-filter-pt")

    # save it as a view; the address now names the view
    page.click(".views-save-as summary")
    page.fill(".views-save-as input[name=name]", "Varejo")
    page.click(".views-save-as button.primary")
    page.wait_for_selector(".view-tab.active >> text=Varejo")
    view = SavedView.objects.get()
    assert view.filter["and"][0] == {
        "field": "custom_fields.segmento",
        "op": "eq",
        "value": "varejo",
    }
    assert f"view={view.pk}" in page.url

    # reload on "All", then apply the view from its tab
    page.goto(page.base + "/people/")
    assert page.locator("#people-rows >> text=Marcos Lima").count() == 1
    page.click(f".view-tab[data-view-id='{view.pk}']")
    page.wait_for_selector(".view-tab.active >> text=Varejo")
    assert page.locator("#people-rows >> text=Marcos Lima").count() == 0
    assert page.locator("#people-rows >> text=Joana Prado").count() == 1
    # the builder shows the view's condition
    assert page.input_value(".fb-row .fb-field") == "custom_fields.segmento"

    page.click(".language-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "People"
    screenshot(page, "people-filter-en")
