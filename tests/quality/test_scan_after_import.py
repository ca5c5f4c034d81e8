"""An import that creates people queues a duplicate scan with the learned matcher: a row that is
an existing customer under another spelling waits in the queue once the import is done."""

from __future__ import annotations

import io

import pytest

from vinculo.contacts import services as contacts
from vinculo.core.worker import run_burst
from vinculo.quality.models import DedupeRun, DuplicateCandidate, RunStatus
from vinculo.quality.services import imports as svc

MAPPING = {"nome": "first_name", "sobrenome": "last_name", "nascimento": "birth_date",
           "cep": "postal_code"}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_import_queues_a_scan_that_finds_the_new_duplicate(ana, carla):
    existing = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Heloísa", "last_name": "Bragança", "birth_date": "1988-07-14",
              "postal_code": "50030230"},
    )  # fmt: skip
    body = "nome;sobrenome;nascimento;cep\nHeloisa;Braganca;14/07/1988;50030-230\n"
    job = svc.create_import(
        actor=ana.actor, object_type="people", file_name="p.csv", content=io.BytesIO(body.encode())
    )
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping=MAPPING)
    svc.start_import(actor=ana.actor, job_id=job.pk)
    done = svc.run_import(job.pk)
    assert done.created_count == 1
    run_burst(mode="db")  # the outbox delivers import.finished; the consumer queues the scan
    (run,) = DedupeRun.objects.filter(workspace=ana.workspace)
    assert run.status == RunStatus.DONE
    (pair,) = DuplicateCandidate.objects.filter(workspace=ana.workspace)
    assert pair.left_id == existing.pk
    assert not DedupeRun.objects.filter(workspace=carla.workspace).exists()
