"""Erasure (LGPD art. 18 VI): after it, no table of the database holds the person's data."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from tests.privacy.conftest import deliver_webhooks, hits, subscribe_all, touch_everything
from vinculo.contacts import services as contact_services
from vinculo.contacts.models import Person
from vinculo.core.errors import NotFound, PermissionDenied, ValidationFailed
from vinculo.core.models import AuditEntry
from vinculo.integrations.models import WebhookAttempt, WebhookDelivery
from vinculo.privacy import erasure
from vinculo.privacy.models import DataSubjectRequest, ErasureRecord, RequestStatus
from vinculo.privacy.scrub import workspace_models
from vinculo.quality.models import ExportJob


def test_after_erasure_no_table_holds_the_person(ana, carla, webhook_receiver):
    subscription = subscribe_all(ana, webhook_receiver.url)
    subject = touch_everything(ana, first_name="Zulmira", last_name="Xandovalle")
    # Someone else, in the same workspace and in another one, keeps their data.
    keeper = contact_services.create_person(
        actor=ana.actor, data={"first_name": "Otília", "email": "otilia@guardada.com.br"}
    )
    contact_services.create_person(
        actor=carla.actor, data={"first_name": "Zulmira", "email": "zulmira@brasa.com.br"}
    )
    assert deliver_webhooks(subscription) > 0
    assert WebhookAttempt.objects.exists()
    before = hits(subject.needles)
    tables = {table for table, _needle, _text in before}
    for table in (
        "contacts_person",
        "activities_activity",
        "core_auditentry",
        "core_domainevent",
        "integrations_webhookdelivery",
        "quality_exportjob",
        "webforms_submission",
        "events_trackedevent",
        "quality_mergerecord",
        "privacy_datasubjectrequest",
    ):
        assert table in tables, table
    request = DataSubjectRequest.objects.get(person=subject.person)

    record = erasure.erase_person(
        actor=ana.actor,
        person_id=subject.person.pk,
        confirm=str(subject.person.pk),
        request_id=request.pk,
    )

    # The key check: every table of the database, whatever app added it.
    leftovers = hits(subject.needles, skip_workspace=carla.workspace.pk)
    assert leftovers == [], "\n".join(map(str, leftovers))
    assert not Person.objects.filter(pk=subject.person.pk).exists()
    assert Person.objects.filter(pk=keeper.pk, email="otilia@guardada.com.br").exists()
    assert Person.objects.filter(workspace=carla.workspace, first_name="Zulmira").exists()
    # The export file is gone and its job expired.
    job = ExportJob.objects.get(pk=subject.export_job.pk)
    assert job.file_path == "" and job.expires_at is not None
    assert not (Path(settings.DATA_DIR) / subject.export_job.file_path).exists()
    # Kept, pseudonymised: the audit trail and the outbox rows still exist.
    pseudonym = erasure.pseudonym(ana.workspace.pk, subject.person.pk)
    assert record.subject == pseudonym and pseudonym.startswith("erased-person-")
    kept = AuditEntry.objects.filter(
        object_type="contacts.person", object_id=str(subject.person.pk)
    )
    assert kept.exists() and set(kept.values_list("object_repr", flat=True)) == {pseudonym}
    assert WebhookDelivery.objects.filter(subject_key=f"person:{subject.person.pk}").exists()
    # The record says what was done, without the personal data.
    assert record.counts["contacts.person"] == 2  # the person and the duplicate merged into them
    assert record.counts["activities.activity"] >= 1
    assert record.counts["events.purchase"] == 1
    assert record.counts["quality.exportjob.file"] == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.erasure == record
    assert request.subject == pseudonym and request.completed_at is not None
    assert AuditEntry.objects.filter(action="person.erased", object_id=pseudonym).exists()


def test_the_walker_covers_every_workspace_table_with_text():
    covered = {m._meta.label_lower for m in workspace_models()}
    expected = {
        m._meta.label_lower
        for m in apps.get_models()
        if any(f.name == "workspace" for f in m._meta.concrete_fields)
        and any(
            f.get_internal_type() in {"CharField", "TextField", "JSONField", "EmailField"}
            for f in m._meta.concrete_fields
        )
    } - {"privacy.erasurerecord"}
    assert expected <= covered
    assert {"webforms.submission", "integrations.webhookdelivery", "core.domainevent"} <= covered


def test_only_owners_and_admins_erase_and_must_confirm(ana, bruno, carla):
    person = contact_services.create_person(
        actor=ana.actor, data={"first_name": "Ida", "email": "ida@aurora.com.br"}
    )
    with pytest.raises(PermissionDenied):
        erasure.erase_person(actor=bruno.actor, person_id=person.pk, confirm=str(person.pk))
    with pytest.raises(NotFound):
        erasure.erase_person(actor=carla.actor, person_id=person.pk, confirm=str(person.pk))
    with pytest.raises(ValidationFailed) as refused:
        erasure.erase_person(actor=ana.actor, person_id=person.pk, confirm="")
    assert refused.value.errors[0].field == "confirm"
    assert Person.objects.filter(pk=person.pk).exists()
    assert not ErasureRecord.objects.exists()


def test_pseudonym_is_stable_and_per_workspace(ana, carla):
    assert erasure.pseudonym(1, 5) == erasure.pseudonym(1, 5)
    assert erasure.pseudonym(1, 5) != erasure.pseudonym(2, 5)
