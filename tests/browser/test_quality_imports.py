"""Importing a Brazilian spreadsheet in a real browser: upload, mapping, dry run, progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts.models import Person
from vinculo.core.worker import run_burst
from vinculo.quality.models import ImportJob

pytestmark = pytest.mark.django_db(transaction=True)

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "quality" / "people_cp1252_semicolon.csv"


def test_upload_map_dry_run_and_watch_the_import_finish(page, ana):
    ana.user.language = "en"
    ana.user.save(update_fields=["language"])
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/quality/imports/new/")
    page.set_input_files("#import-file", str(FILE))
    page.select_option("#import-type", "people")
    page.click("form button.primary")
    job = ImportJob.objects.get()
    page.wait_for_url(f"{page.base}/quality/imports/{job.pk}/")

    # Suggested from the Portuguese headers, sample values shown.
    owner = job.headers.index("Responsável")
    assert page.locator(f"#map-{owner}").input_value() == "owner"
    assert page.locator("text=bruno@aurora.test").count() >= 1

    page.click("button[value=dry_run]")
    page.wait_for_selector("#dry-run")
    page.locator("#dry-run .import-chart canvas").wait_for()  # the outcome, drawn by ECharts
    assert page.locator("#rejected-rows tbody tr").count() == 6
    screenshot(page, "import-dry-run")
    assert Person.objects.count() == 0

    page.click("button[value=start]")
    page.wait_for_selector("#import-progress[hx-trigger]")
    run_burst(mode="db")  # the worker runs the import; the page polls every second
    page.wait_for_selector("#import-progress:not([hx-trigger])", timeout=15_000)
    assert page.locator("#import-status").inner_text() == "Done"
    page.locator("#import-progress .import-chart canvas").wait_for()  # redrawn after the swap
    assert page.locator("a[href$='rejected.csv']").is_visible()
    assert page.locator("#rejected-rows tbody tr").count() == 6
    screenshot(page, "import-result")
    assert Person.objects.count() == 3
