"""A person touched by every feature that stores personal data, for the privacy tests."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import pytest
from django.db import connection

from tests.webforms.conftest import post_form
from tests.webhooks.conftest import start_receiver, stop
from tests.webhooks.helpers import drain, run_outbox, subscribe
from vinculo.activities import services as activity_services
from vinculo.contacts import services as contact_services
from vinculo.contacts.models import Person
from vinculo.events.services.ingest import ingest_events
from vinculo.privacy import services as privacy_services
from vinculo.quality.models import ExportJob
from vinculo.quality.services import exports
from vinculo.quality.services.merge import merge_people
from vinculo.sales.services import create_deal
from vinculo.webforms import services as form_services


@dataclass
class Subject:
    person: Person
    email: str
    phone: str
    cpf: str
    first_name: str
    last_name: str
    export_job: ExportJob

    @property
    def needles(self) -> list[str]:
        full = f"{self.first_name} {self.last_name}"
        return [self.email, self.phone.lstrip("+"), self.cpf, self.first_name, self.last_name, full]


def _cpf() -> str:
    """A valid CPF (check digits computed), random enough to be unique in the database."""
    base = [int(d) for d in f"{secrets.randbelow(10**9):09d}"]
    for size in (9, 10):
        total = sum(d * (size + 1 - i) for i, d in enumerate(base[:size]))
        base.append((total * 10 % 11) % 10)
    return "".join(map(str, base))


def touch_everything(ana, *, first_name: str, last_name: str) -> Subject:
    """Create a person and use them in every feature that stores personal data."""
    tag = secrets.token_hex(4)
    email = f"zulmira.{tag}@exemplo-unico.com.br"
    phone = f"+5511987{secrets.randbelow(10**6):06d}"
    cpf = _cpf()
    full = f"{first_name} {last_name}"
    person = contact_services.create_person(
        actor=ana.actor,
        data={
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "cpf": cpf,
            "city": "Curitiba",
        },
    )
    company = contact_services.create_company(actor=ana.actor, data={"name": "Padaria Sol"})
    contact_services.update_person(
        actor=ana.actor,
        person_id=person.pk,
        data={"job_title": "Compradora", "companies": [{"company_id": company.pk}]},
    )
    contact_services.set_consent(
        actor=ana.actor,
        person_id=person.pk,
        data={
            "channel": "email",
            "status": "opted_in",
            "legal_basis": "consent",
            "method": "verbal",
            "evidence": f"Call with {full}",
        },
    )
    activity_services.log_activity(
        actor=ana.actor,
        data={"kind": "note", "person_id": person.pk, "body": f"Talked to {first_name} ({email})"},
    )
    # Text about the person on another record: only the strong identifiers can find it.
    activity_services.log_activity(
        actor=ana.actor,
        data={"kind": "note", "company_id": company.pk, "body": f"{full} asked; call {phone}"},
    )
    deal = create_deal(
        actor=ana.actor, data={"title": f"Encomenda de {full}", "person_id": person.pk}
    )
    activity_services.log_activity(
        actor=ana.actor, data={"kind": "call", "deal_id": deal.pk, "body": f"CPF {cpf}"}
    )
    ingest_events(
        actor=ana.actor,
        rows=[
            {"name": "page_viewed", "person": {"email": email}, "properties": {"who": full}},
            {
                "name": "purchase",
                "person": {"id": person.pk},
                "amount": "99.90",
                "order_id": f"order-{tag}",
                "properties": {"buyer_email": email},
            },
        ],
    )
    form = form_services.create_form(
        actor=ana.actor,
        data={
            "name": "Newsletter",
            "fields": [
                {"key": "first_name", "label": "Name", "required": True},
                {"key": "email", "label": "E-mail", "required": True},
                {"key": "phone", "label": "Phone"},
            ],
        },
    )
    post_form(form, {"first_name": first_name, "email": email, "phone": phone})
    # A duplicate merged into the person: the merge record keeps its values.
    duplicate = contact_services.create_person(
        actor=ana.actor,
        data={"first_name": first_name, "last_name": last_name, "email": email.upper()},
    )
    merge_people(actor=ana.actor, survivor_id=person.pk, loser_id=duplicate.pk)
    # An export that found them (its spec and its file hold the email).
    spec = exports.check_spec(ana.actor, exports.ExportSpec(object_type="person", q=email), "csv")
    job = exports.create_export_job(actor=ana.actor, spec=spec, fmt="csv", enqueue=False)
    exports.run_export_job(job.pk)
    job.refresh_from_db()
    assert job.file_path and job.row_count == 1
    # Register a request naming them, and read them with the access log on.
    privacy_services.update_settings(actor=ana.actor, data={"access_log_enabled": True})
    privacy_services.create_request(
        actor=ana.actor,
        data={"kind": "erasure", "person_id": person.pk, "subject_label": full, "notes": email},
    )
    privacy_services.export_person(actor=ana.actor, person_id=person.pk)
    return Subject(person, email, phone, cpf, first_name, last_name, job)


@pytest.fixture
def webhook_receiver(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    rec, server = start_receiver()
    yield rec
    rec.gate.set()
    stop(server)


def subscribe_all(persona, url: str):
    """A webhook on every event type: each event about the person becomes a delivery."""
    return subscribe(persona, url, event_types=("*",)).subscription


def deliver_webhooks(subscription) -> int:
    """Run the outbox (the webhook consumer queues deliveries) and send them."""
    run_outbox()
    return drain(subscription)


def hits(needles: list[str], *, skip_workspace: int | None = None) -> list[tuple[str, str, str]]:
    """Every (table, needle, cell excerpt) of the whole database holding a needle, matched
    case-insensitively, also in JSON-escaped form (SQLite's JSON escapes non-ASCII); rows of
    ``skip_workspace`` (another tenant holding the same values on purpose) are left out."""
    forms = {n.casefold() for n in needles} | {json.dumps(n)[1:-1].casefold() for n in needles}
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            sql = f'SELECT * FROM "{table}"'  # noqa: S608 - names from introspection
            if skip_workspace is not None and "workspace_id" in columns:
                sql += f" WHERE workspace_id <> {int(skip_workspace)}"
            cursor.execute(sql)
            for row in cursor.fetchall():
                for cell in row:
                    if cell is None:
                        continue
                    text = (
                        cell.decode("utf-8", "replace")
                        if isinstance(cell, bytes | memoryview)
                        else str(cell)
                    )
                    folded = text.casefold()
                    for needle in forms:
                        if needle in folded:
                            found.append((table, needle, text[:120]))
    return found
