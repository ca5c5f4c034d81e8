"""Each kind of activity shows its own fields on the timeline, in the reader's language: a call
logged with direction, outcome and 12 minutes shows them, not only its subject and text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vinculo.activities import services as activities
from vinculo.contacts import services as contacts


@pytest.fixture
def joana(ana):
    return contacts.create_person(
        actor=ana.actor, data={"first_name": "Joana", "last_name": "Prado"}
    )


def _facts(page: str, subject: str) -> str:
    """The timeline entry of ``subject`` on a rendered page."""
    start = page.index(f'<p class="summary">{subject}</p>')
    return page[start : page.index("</li>", start)]


def _log(ana, joana, **data):
    return activities.log_activity(actor=ana.actor, data={"person_id": joana.pk, **data})


def test_a_call_shows_direction_outcome_and_duration_in_the_readers_language(ana, joana):
    _log(
        ana, joana, kind="call", subject="Ligação de proposta", body="Pediu desconto",
        direction="outbound", call_outcome="connected", duration_seconds=720,
    )  # fmt: skip
    pt = _facts(
        ana.web("pt-br").get(f"/people/{joana.pk}/").content.decode(), "Ligação de proposta"
    )
    assert "<dt>Direção</dt><dd>Saída</dd>" in pt
    assert "<dt>Resultado</dt><dd>Atendida</dd>" in pt
    assert "<dt>Duração</dt><dd>12 min</dd>" in pt
    en = _facts(ana.web("en").get(f"/people/{joana.pk}/").content.decode(), "Ligação de proposta")
    assert "<dt>Direction</dt><dd>Outbound</dd>" in en
    assert "<dt>Outcome</dt><dd>Connected</dd>" in en
    assert "<dt>Duration</dt><dd>12 min</dd>" in en
    assert "outbound" not in en and "connected" not in en  # no raw enum values


def test_meetings_emails_tasks_and_notes_show_their_own_fields(ana, joana):
    at = timezone.now() - timedelta(days=1)
    _log(
        ana, joana, kind="meeting", subject="Visita", occurred_at=at.isoformat(),
        location="Loja da Savassi", duration_seconds=3900,
    )  # fmt: skip
    _log(
        ana, joana, kind="email", subject="Proposta enviada", direction="inbound",
        email_from="joana@prado.com.br", email_to="ana@aurora.com.br",
    )  # fmt: skip
    done = activities.create_task(
        actor=ana.actor,
        data={"subject": "Mandar contrato", "person_id": joana.pk, "priority": "high",
              "due_at": (timezone.now() + timedelta(days=2)).isoformat()},
    )  # fmt: skip
    activities.complete_task(actor=ana.actor, activity_id=done.pk)
    _log(ana, joana, kind="note", subject="Anotação", body="Prefere WhatsApp")
    page = ana.web("en").get(f"/people/{joana.pk}/").content.decode()
    meeting = _facts(page, "Visita")
    assert "<dt>When</dt>" in meeting and "<dt>Where</dt><dd>Loja da Savassi</dd>" in meeting
    assert "<dt>Duration</dt><dd>1 h 5 min</dd>" in meeting
    email = _facts(page, "Proposta enviada")
    assert "<dt>Direction</dt><dd>Inbound</dd>" in email
    assert "<dt>From</dt><dd>joana@prado.com.br</dd>" in email
    assert "<dt>To</dt><dd>ana@aurora.com.br</dd>" in email
    task = _facts(page, "Mandar contrato")
    assert "<dt>Due</dt>" in task and "<dt>Status</dt><dd>Done on " in task
    assert "<dt>Priority</dt><dd>High</dd>" in task
    note = _facts(page, "Anotação")
    assert "Prefere WhatsApp" in note and "<dl" not in note
