"""The apps' real events match their declared payload schemas.

Representative services of every app run as in production (the outbox's own payload check off),
then every stored event is checked against its type's published JSON schema, which is what a
webhook receiver validates against, and against the schema the outbox checks in debug.
"""

from __future__ import annotations

import io
import time

import pytest
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator

from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.core.event_types import EVENT_TYPES
from vinculo.core.models import DomainEvent
from vinculo.events.services import ingest_events, link_visitor
from vinculo.integrations import services as webhooks
from vinculo.quality.services import exports, merge
from vinculo.quality.services import imports as importing
from vinculo.quality.services.exports import ExportSpec
from vinculo.sales import services as sales
from vinculo.sales.models import LostReason, Stage
from vinculo.webforms import services as webforms

CONSENT = {
    "channel": "email",
    "status": "opted_in",
    "legal_basis": "consent",
    "method": "web_form",
    "changed_at": "2025-03-01T10:00:00Z",
}


@pytest.fixture(autouse=True)
def as_in_production(settings):
    """The services run without the outbox's check: this test's own checks must catch a drift."""
    settings.EVENTS_CHECK_PAYLOADS = False


def _stored_events(workspace) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(workspace=workspace).order_by("pk"))


def _mismatches(stored: list[DomainEvent]) -> list[str]:
    problems = []
    for event in stored:
        declared = EVENT_TYPES[event.name]
        validator = Draft202012Validator(declared.json_schema())
        problems += [f"{event.name}: {e.message}" for e in validator.iter_errors(event.payload)]
        try:
            declared.check(event.payload)
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def _people_and_companies(actor) -> None:
    company = contacts.create_company(
        actor=actor, data={"name": "Padaria Sol", "cnpj": "11222333000181"}
    )
    joana = contacts.create_person(
        actor=actor,
        data={"first_name": "Joana", "email": "joana@sol.com.br", "lifecycle_stage": "lead"},
    )
    contacts.update_person(
        actor=actor,
        person_id=joana.pk,
        data={"phone": "+5511987654321", "lifecycle_stage": "customer"},
    )
    contacts.set_consent(actor=actor, person_id=joana.pk, data=CONSENT)
    contacts.update_company(actor=actor, company_id=company.pk, data={"lifecycle_stage": "lead"})
    bin_ = contacts.create_person(actor=actor, data={"first_name": "Bia"})
    contacts.delete_person(actor=actor, person_id=bin_.pk)
    contacts.restore_person(actor=actor, person_id=bin_.pk)
    contacts.create_custom_field(
        actor=actor,
        data={"object_type": "person", "key": "shoe", "label": "Shoe", "field_type": "number"},
    )


def _deals(actor) -> None:
    pipeline = sales.ensure_default_pipeline(actor=actor)
    stages = {s.kind: s for s in Stage.objects.filter(pipeline=pipeline).order_by("-position")}
    person = contacts.create_person(actor=actor, data={"first_name": "Cliente"})
    deal = sales.create_deal(
        actor=actor, data={"title": "Pães", "amount": "1500.00", "person_id": person.pk}
    )
    sales.update_deal(actor=actor, deal_id=deal.pk, data={"amount": "1800.00"})
    sales.move_deal(actor=actor, deal_id=deal.pk, stage_id=stages["won"].pk)
    lost = sales.create_deal(actor=actor, data={"title": "Bolos"})
    reason = LostReason.objects.filter(pipeline=pipeline, code="price").get()
    sales.move_deal(
        actor=actor, deal_id=lost.pk, stage_id=stages["lost"].pk, lost_reason_id=reason.pk
    )
    sales.delete_deal(actor=actor, deal_id=lost.pk)


def _import(actor) -> None:
    csv = b"first_name,email\nImportada,importada@sol.com.br\nOutra,not-an-email\n"
    job = importing.create_import(
        actor=actor, object_type="people", file_name="clientes.csv", content=io.BytesIO(csv)
    )
    importing.set_mapping(actor=actor, job_id=job.pk, mapping={}, options={})
    importing.start_import(actor=actor, job_id=job.pk)
    importing.run_import(job.pk)


def _form_post(actor) -> None:
    form = webforms.create_form(
        actor=actor,
        data={
            "name": "Encomendas",
            "fields": [{"key": "first_name", "required": True}, {"key": "email"}],
            "consent_enabled": True,
            "consent_text": "Quero novidades.",
            "consent_channel": "email",
            "consent_legal_basis": "consent",
        },
    )
    token = webforms.render_token(form, now=time.time() - 10)
    body = {"_vt": token, "_website": "", "first_name": "Rita", "email": "rita@sol.com.br"}
    posted = Client().post(reverse("webforms:submit", args=[form.public_key]), body)
    assert posted.status_code in (200, 302), posted.content


def _duplicates_merged(actor) -> None:
    survivor = contacts.create_person(actor=actor, data={"first_name": "Maria", "email": "m@a.br"})
    loser = contacts.create_person(actor=actor, data={"first_name": "Maria", "email": "m@b.br"})
    record = merge.merge_people(actor=actor, survivor_id=survivor.pk, loser_id=loser.pk)
    merge.undo_merge(actor=actor, merge_id=record.pk)


def _export_finished(actor) -> None:
    spec = ExportSpec(object_type="person")
    job = exports.create_export_job(actor=actor, spec=spec, fmt="csv", enqueue=False)
    exports.run_export_job(job.pk)


def _activities(actor) -> None:
    person = contacts.create_person(actor=actor, data={"first_name": "Ana Paula"})
    call = activities.log_activity(
        actor=actor, data={"kind": "call", "subject": "Pedido", "person_id": person.pk}
    )
    activities.update_activity(actor=actor, activity_id=call.pk, data={"subject": "Pedido 2"})
    task = activities.create_task(actor=actor, data={"subject": "Ligar", "person_id": person.pk})
    activities.complete_task(actor=actor, activity_id=task.pk)
    activities.reopen_task(actor=actor, activity_id=task.pk)


def _tracked_events(actor) -> None:
    person = contacts.create_person(actor=actor, data={"first_name": "Lia", "email": "l@sol.br"})
    ingest_events(
        actor=actor,
        rows=[
            {"name": "page_viewed", "visitor_id": "v-9", "properties": {"url": "https://x.br/a"}},
            {"name": "purchase", "person": {"id": person.pk}, "amount": "89.70", "order_id": "P1"},
        ],
    )
    link_visitor(actor=actor, visitor_id="v-9", person_id=person.pk)


def _webhook(actor) -> None:
    created = webhooks.create_subscription(
        actor=actor,
        data={"name": "ERP", "url": "https://erp.example.com/h", "event_types": ["person.*"]},
    )
    sub = created.subscription
    webhooks.update_subscription(actor=actor, subscription_id=sub.pk, data={"name": "ERP 2"})
    webhooks.disable_automatically(subscription_id=sub.pk, reason="failing", detail="HTTP 500")
    webhooks.update_subscription(actor=actor, subscription_id=sub.pk, data={"is_active": True})


EXERCISED = {
    "workspace.created",
    "member.added",
    "token.created",
    "person.created",
    "person.updated",
    "person.lifecycle_changed",
    "person.consent_changed",
    "person.deleted",
    "person.restored",
    "company.created",
    "company.lifecycle_changed",
    "custom_field.created",
    "deal.created",
    "deal.updated",
    "deal.stage_changed",
    "deal.won",
    "deal.lost",
    "deal.deleted",
    "import.created",
    "import.started",
    "import.finished",
    "form.submitted",
    "person.merged",
    "person.merge_undone",
    "export.completed",
    "activity.logged",
    "activity.updated",
    "task.created",
    "task.completed",
    "task.reopened",
    "event.received",
    "purchase.recorded",
    "visitor.linked",
    "webhook.created",
    "webhook.updated",
    "webhook.disabled",
    "webhook.enabled",
}


def test_the_apps_real_events_match_their_declared_schemas(ana):
    actor = ana.actor
    for step in (
        _people_and_companies,
        _deals,
        _import,
        _form_post,
        _duplicates_merged,
        _export_finished,
        _activities,
        _tracked_events,
        _webhook,
    ):
        step(actor)

    stored = _stored_events(ana.workspace)
    assert EXERCISED - {e.name for e in stored} == set()
    assert _mismatches(stored) == []


def test_a_payload_that_drifts_from_its_schema_is_caught(ana):
    """The check above can fail: a stored payload with a key renamed is reported."""
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    event = DomainEvent.objects.filter(workspace=ana.workspace, name="person.created").get()
    event.payload = {"full_name": event.payload["name"], "email": event.payload["email"]}

    problems = _mismatches([event])

    assert any("'name' is a required property" in p for p in problems)
    assert any("full_name: Extra inputs are not permitted" in p for p in problems)
