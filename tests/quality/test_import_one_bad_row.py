"""One bad row never fails a whole import (issue 15.5): a row that raises something unexpected
in a deeper layer is rejected with a reason, the other rows of its batch are imported."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from vinculo.contacts.models import Person
from vinculo.contacts.services import creation
from vinculo.quality.models import ImportRowError, ImportStatus
from vinculo.quality.services import imports as svc
from vinculo.quality.services.import_messages import reasons_out

CSV = (
    b"Nome;E-mail;Tags\n"
    b"Rui Alves;rui@exemplo.com.br;cliente\n"
    b"Lia Reis;lia@exemplo.com.br;bomba\n"
    b"Caio Luz;caio@exemplo.com.br;cliente\n"
    b"Bia Bad;nao-e-email;\n"
)


@pytest.fixture
def exploding_tag(monkeypatch):
    """A fault in the layer that writes a new record's relations, for rows tagged "bomba"."""
    real = creation._write_relations

    def write(ctx, model, records, rows):
        if any("bomba" in (c.tags or []) for c in rows):
            raise RuntimeError("disk on fire")
        return real(ctx, model, records, rows)

    monkeypatch.setattr(creation, "_write_relations", write)


def _job(ana):
    job = svc.create_import(
        actor=ana.actor, object_type="people", file_name="p.csv", content=io.BytesIO(CSV)
    )
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={"Tags": "tags"}, options={})
    return job


def test_an_unexpected_error_on_one_row_rejects_that_row_and_imports_the_others(ana, exploding_tag):
    job = _job(ana)
    svc.start_import(actor=ana.actor, job_id=job.pk)
    job = svc.run_import(job.pk)

    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.rejected_count) == (2, 2)
    emails = Person.objects.for_workspace(ana.workspace).values_list("email", flat=True)
    assert sorted(emails) == ["caio@exemplo.com.br", "rui@exemplo.com.br"]
    rejected = {e.line: e for e in ImportRowError.objects.filter(job=job, dry_run=False)}
    assert sorted(rejected) == [3, 5]
    with translation.override("pt-br"):
        message = reasons_out(rejected[3].reasons)[0]["message"]
    assert "erro inesperado" in message


def test_the_dry_run_reports_the_row_and_keeps_counting(ana, exploding_tag):
    job = svc.dry_run_import(actor=ana.actor, job_id=_job(ana).pk)
    assert (job.preview["would_create"], job.preview["rejected"]) == (2, 2)
    assert not Person.objects.for_workspace(ana.workspace).exists()
