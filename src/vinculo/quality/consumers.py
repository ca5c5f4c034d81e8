"""Data-quality reactions to domain events: an import that created people or companies queues a
duplicate scan, so the new records meet the existing ones through the same learned matcher as
the scan and the new-record check (its pairs wait in the duplicates queue)."""

from __future__ import annotations

from vinculo.core.actor import Actor, Source
from vinculo.core.events import consumer
from vinculo.core.models import DomainEvent
from vinculo.quality.models import ImportJob, ImportObject, RecordType
from vinculo.quality.services.duplicates import start_detection

_TYPES = {ImportObject.PEOPLE: RecordType.PERSON, ImportObject.COMPANIES: RecordType.COMPANY}


@consumer("duplicates-after-import", events=["import.finished"])
def scan_after_import(event: DomainEvent) -> None:
    if not (event.payload or {}).get("created"):
        return
    job = ImportJob.objects.filter(workspace_id=event.workspace_id, pk=event.subject_id).first()
    if job is None or job.object_type not in _TYPES:
        return
    actor = Actor.system(job.workspace, source=Source.IMPORT)
    start_detection(actor=actor, object_type=_TYPES[job.object_type])
