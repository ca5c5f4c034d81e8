"""Every kind of timeline entry is kept as a message and its parameters and reads in the reader's
language (person page and timeline API), whatever the language of whoever wrote it: contacts
(added, updated, lifecycle, consent, bin and restore), activities logged and tracked events with
their money in the reader's locale (issue 14, item 10). Deals: tests/sales; forms:
tests/webforms."""

from __future__ import annotations

from django.utils import translation

from vinculo.activities import services as activities
from vinculo.activities.models import TimelineEntry
from vinculo.contacts import services as contacts
from vinculo.events.services import ingest_events


def _history(ana, language: str):
    """A person's life on the timeline, written in ``language``."""
    with translation.override(language):
        rui = contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})
        contacts.update_person(
            actor=ana.actor, person_id=rui.pk, data={"tags": ["vip"], "lifecycle_stage": "lead"}
        )
        contacts.set_consent(
            actor=ana.actor,
            person_id=rui.pk,
            data={
                "channel": "email",
                "status": "opted_in",
                "legal_basis": "consent",
                "method": "web_form",
            },
        )
        contacts.delete_person(actor=ana.actor, person_id=rui.pk)
        contacts.restore_person(actor=ana.actor, person_id=rui.pk)
        call = activities.log_activity(actor=ana.actor, data={"kind": "call", "person_id": rui.pk})
        activities.update_activity(  # the entry is rewritten: still worded when read
            actor=ana.actor, activity_id=call.pk, data={"occurred_at": "2026-11-20T10:00:00-03:00"}
        )
        ingest_events(
            actor=ana.actor,
            rows=[
                {"name": "page_viewed", "person": {"id": rui.pk}, "properties": {"path": "/p"}},
                {
                    "name": "purchase",
                    "person": {"id": rui.pk},
                    "amount": "1234.50",
                    "currency": "BRL",
                    "order_id": "A-7",
                },
            ],
        )
    return rui


def _lines(ana, language: str, person_id: int) -> tuple[str, list[str]]:
    page = ana.web(language=language).get(f"/people/{person_id}/").content.decode()
    api = ana.client(language).get(f"/api/v1/people/{person_id}/timeline?limit=100").json()
    return page, [e["summary"] for e in api["items"]]


def test_entries_written_in_english_read_in_portuguese(ana):
    rui = _history(ana, "en")
    assert TimelineEntry.objects.get(kind="person.created").summary == "Rui was added"
    page, api = _lines(ana, "pt-br", rui.pk)
    expected = [
        "Cadastro de Rui criado",
        "Consentimento para E-mail: Autorizou",
        "Cadastro de Rui movido para a lixeira",
        "Cadastro de Rui restaurado da lixeira",
        "Ligação",
        "Visitou /p",
        "Comprou R$\xa01.234,50 (pedido A-7)",
    ]
    for line in expected:
        assert line in api, line
        assert line.replace("\xa0", "&nbsp;") in page or line in page, line
    assert "Cadastro de Rui atualizado: etapa do ciclo de vida, tags" in api  # field names too
    assert any(s.startswith("Ciclo de vida: ") for s in api)
    english = ("was added", "Consent for", "moved to the bin", "Bought", "Viewed", "Lifecycle")
    assert not any(word in s for s in api for word in english)


def test_entries_written_in_portuguese_read_in_english(ana):
    rui = _history(ana, "pt-br")
    assert TimelineEntry.objects.get(kind="person.created").summary == "Cadastro de Rui criado"
    page, api = _lines(ana, "en", rui.pk)
    expected = [
        "Rui was added",
        "Consent for Email: Opted in",
        "Rui moved to the bin",
        "Rui restored from the bin",
        "Call",
        "Viewed /p",
        "Bought R$1,234.50 (order A-7)",
    ]
    for line in expected:
        assert line in api, line
        assert line in page, line
    assert any(s.startswith("Lifecycle: ") for s in api)
    assert "Rui updated: lifecycle stage, tags" in api
    assert not any("Cadastro" in s or "Comprou" in s or "Visitou" in s for s in api)


def test_the_events_api_words_the_summary_in_the_requests_language(ana):
    _history(ana, "en")
    items = ana.client("pt-br").get("/api/v1/events").json()["items"]
    assert "Comprou R$\xa01.234,50 (pedido A-7)" in [e["summary"] for e in items]
    items = ana.client("en").get("/api/v1/events").json()["items"]
    assert "Bought R$1,234.50 (order A-7)" in [e["summary"] for e in items]


def test_the_data_export_words_the_timeline_and_events_in_the_readers_language(ana):
    rui = _history(ana, "en")
    body = ana.client("pt-br").get(f"/api/v1/people/{rui.pk}/data-export").json()
    assert "Cadastro de Rui criado" in [e["summary"] for e in body["timeline"]]
    assert "Comprou R$\xa01.234,50 (pedido A-7)" in [e["summary"] for e in body["events"]]


def test_old_entries_stored_as_text_still_read(ana):
    rui = _history(ana, "en")
    TimelineEntry.objects.filter(person=rui).update(summary="Linha antiga", data={})
    page, api = _lines(ana, "pt-br", rui.pk)
    assert "Linha antiga" in page and set(api) == {"Linha antiga"}
