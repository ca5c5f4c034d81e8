"""An audit report is worded in its reader's language, whatever language the job ran in: the
run stores codes and figures, the report and the API write the sentences when read."""

from __future__ import annotations

import pytest
from django.utils import translation

from vinculo.contacts import services as contacts
from vinculo.quality.models import AuditRun
from vinculo.quality.services.audit import run_audit


@pytest.fixture
def gaps(ana):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "key": "nivel", "label": "Nível", "field_type": "text"},
    )
    for i in range(3):
        contacts.create_person(
            actor=ana.actor,
            data={"first_name": f"P{i}", "phone": "(11) 98765-4321", "owner_id": None},
        )


def _run_in(language: str, ana) -> AuditRun:
    with translation.override(language):
        return run_audit(actor=ana.actor)


def _labels(findings: dict) -> list[str]:
    person = findings["objects"]["person"]
    return [f["label"] for f in person["findings"]] + [f["label"] for f in person["completeness"]]


def test_a_run_made_in_english_reads_in_portuguese(ana, gaps):
    run = _run_in("en", ana)
    stored = str(run.findings)
    assert "'label'" not in stored  # codes and figures only
    page = ana.web(language="pt-br").get(f"/quality/audit/runs/{run.pk}/").content.decode()
    assert "Sem atividade há 6 meses" in page and "Sem responsável" in page
    assert "Registros com o mesmo Telefone" in page
    assert "Responsável" in page and "Nível" in page
    for english in ("No activity in", "Without owner", "Records sharing the same", ">Owner<"):
        assert english not in page, english
    body = ana.client("pt-br").get(f"/api/v1/quality/audits/{run.pk}").json()
    labels = _labels(body["findings"])
    assert "Sem responsável" in labels and "Responsável" in labels and "Nível" in labels


def test_a_run_made_in_portuguese_reads_in_english(ana, gaps):
    run = _run_in("pt-br", ana)
    page = ana.web(language="en").get(f"/quality/audit/runs/{run.pk}/").content.decode()
    assert "No activity in 6 months" in page and "Without owner" in page
    assert "Records sharing the same Phone" in page
    for portuguese in ("Sem atividade", "Sem responsável", "Registros com o mesmo"):
        assert portuguese not in page, portuguese
    body = ana.client("en").get(f"/api/v1/quality/audits/{run.pk}").json()
    assert "Without owner" in _labels(body["findings"])


def test_a_run_stored_with_labels_before_still_reads_in_the_readers_language(ana, gaps):
    run = _run_in("en", ana)
    # How runs were stored before: the sentences of whoever ran the job, in English here.
    findings = run.findings
    for finding in findings["objects"]["person"]["findings"]:
        finding["label"] = "English " + finding["key"]
    findings["objects"]["person"]["findings"].append(
        {"key": "retired", "kind": "retired", "label": "A finding of an old version", "count": 1}
    )
    for row in findings["objects"]["person"]["completeness"]:
        row["label"] = "English " + row["field"]
    AuditRun.objects.filter(pk=run.pk).update(findings=findings)
    page = ana.web(language="pt-br").get(f"/quality/audit/runs/{run.pk}/").content.decode()
    assert "Sem responsável" in page and "English no_owner" not in page
    assert "English owner" not in page
    # A finding this version no longer knows keeps the words it was stored with.
    assert "A finding of an old version" in page
