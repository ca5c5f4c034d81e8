"""Exports and the audit in a real browser: a large export runs in the background while the
exports page polls its progress, then downloads; the audit report runs and shows its score."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts import services as contacts
from vinculo.quality.models import ExportJob
from vinculo.quality.services import exports

pytestmark = pytest.mark.django_db(transaction=True)


def test_background_export_then_audit(page, ana, monkeypatch):
    for name in ("Joana", "Conceição", "Íris"):
        contacts.create_person(actor=ana.actor, data={"first_name": name, "city": "São Paulo"})
    contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "city": "Recife"})
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 1)  # so three rows already go to the background
    log_in(page, ana.user.email, PASSWORD)
    page.goto(
        page.base + '/people/?filter={"all":[{"field":"city","op":"eq","value":"São Paulo"}]}'
    )
    page.click("#people-export-csv")
    page.wait_for_url("**/quality/exports/?job=*")
    assert page.locator("#export-jobs progress").count() == 1
    job = ExportJob.objects.get()
    exports.run_export_job(job.pk)  # what the worker does
    link = page.locator(f"a[href='/quality/exports/{job.pk}/download']")
    link.wait_for()  # the page polls every second and shows the link once done
    screenshot(page, "quality-exports-pt")
    with page.expect_download() as info:
        link.click()
    data = Path(info.value.path()).read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(r[2] for r in rows[1:]) == ["Conceição", "Joana", "Íris"]

    page.goto(page.base + "/quality/audit/")
    page.click("#audit-run-form button[type=submit]")
    page.wait_for_selector("#audit-score")
    page.click("#audit-run-form button[type=submit]")
    page.wait_for_selector("#audit-score")
    page.locator("#audit-history-chart canvas").wait_for()  # the score over time (ECharts)
    screenshot(page, "quality-audit-pt")
    page.locator('[data-field="email"] a').click()  # "4 sem valor" → the list filtered
    page.wait_for_url("**/people/?filter=*")
    assert page.locator("text=Rui").count() >= 1
