"""The import's mapping and dry run in pt-BR in a real browser: the chart draws (no localised
number in the SVG, no console error), the template's button is a button beside its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.quality.models import ImportJob

pytestmark = pytest.mark.django_db(transaction=True)

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "quality" / "people_cp1252_semicolon.csv"


def test_pt_br_dry_run_draws_its_chart_and_the_template_button_is_not_a_box(page, ana):
    ana.user.language = "pt-br"
    ana.user.save(update_fields=["language"])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/quality/imports/new/")
    page.set_input_files("#import-file", str(FILE))
    page.select_option("#import-type", "people")
    page.click("form button.primary")
    job = ImportJob.objects.get()
    page.wait_for_url(f"{page.base}/quality/imports/{job.pk}/")

    # "Salvar modelo" is a button of its own size on the line of its name field.
    button = page.locator("#save-template").bounding_box()
    field = page.locator("#template-name").bounding_box()
    card = page.locator("#mapping-template").bounding_box()
    dry = page.locator("button[value=dry_run]").bounding_box()
    assert button and field and card and dry
    assert button["width"] < card["width"] / 3
    assert abs(button["y"] - field["y"]) < 8 and button["x"] > field["x"]
    assert abs(button["height"] - dry["height"]) < 4

    page.click("button[value=dry_run]")
    page.wait_for_selector("#dry-run-rows")
    # The outcome's stacked bar, drawn by ECharts on a canvas that fills its box.
    canvas = page.locator("#dry-run .import-chart canvas")
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 20, box
    assert page.locator("#dry-run-rows th").first.text_content() == "Linha"
    # The wide preview scrolls inside its box; the page does not overflow.
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, width
    screenshot(page, "import-dry-run-pt-br")
    assert not errors, errors
