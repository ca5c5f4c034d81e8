"""The privacy screens (pt-BR and English) and the automatic purge of the bin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vinculo.contacts import services as contact_services
from vinculo.contacts.models import Person
from vinculo.core import schedule
from vinculo.privacy import erasure, retention, services
from vinculo.privacy.models import AccessRecord, ErasureRecord
from vinculo.privacy.retention import purge_bin


@pytest.fixture
def maria(ana) -> Person:
    return contact_services.create_person(
        actor=ana.actor,
        data={"first_name": "Maria", "last_name": "Souza", "email": "maria@cliente.com.br"},
    )


def _binned(ana, name: str, days_ago: int) -> Person:
    person = contact_services.create_person(
        actor=ana.actor, data={"first_name": name, "email": f"{name.lower()}@cliente.com.br"}
    )
    contact_services.delete_person(actor=ana.actor, person_id=person.pk)
    Person.objects.filter(pk=person.pk).update(deleted_at=timezone.now() - timedelta(days=days_ago))
    return person


def test_person_page_offers_export_and_erase_to_owners_only(ana, bruno, maria):
    page = ana.web().get(f"/people/{maria.pk}/").content.decode()
    assert f"/people/{maria.pk}/data/" in page and f"/people/{maria.pk}/erase/" in page
    page = bruno.web().get(f"/people/{maria.pk}/").content.decode()
    assert f"/people/{maria.pk}/data/" in page and f"/people/{maria.pk}/erase/" not in page
    assert bruno.web().get(f"/people/{maria.pk}/erase/").status_code == 403


def test_readable_document_in_the_readers_language(ana, carla, maria):
    pt = ana.web("pt-br").get(f"/people/{maria.pk}/data/")
    assert pt.status_code == 200
    text = pt.content.decode()
    assert "Dados pessoais mantidos" in text and "maria@cliente.com.br" in text
    assert 'lang="pt-br"' in text
    en = ana.web("en").get(f"/people/{maria.pk}/data/").content.decode()
    assert "Personal data held" in en
    download = ana.web().get(f"/people/{maria.pk}/data.json")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"maria@cliente.com.br" in download.content
    for url in ("data/", "data.json", "erase/", "access-log/"):
        assert carla.web().get(f"/people/{maria.pk}/{url}").status_code == 404


def test_erase_screen_asks_for_the_id(ana, maria):
    web = ana.web()
    wrong = web.post(f"/people/{maria.pk}/erase/", {"confirm": "1234567"})
    assert wrong.status_code == 422 and Person.objects.filter(pk=maria.pk).exists()
    done = web.post(f"/people/{maria.pk}/erase/", {"confirm": str(maria.pk)})
    assert done.status_code == 302 and not Person.objects.filter(pk=maria.pk).exists()


def test_settings_screen_and_register_show_overdue(ana, bruno, maria):
    web = ana.web("pt-br")
    assert "Privacidade (LGPD)" in web.get("/settings/").content.decode()
    assert bruno.web().get("/settings/privacy/").status_code == 403
    saved = web.post("/settings/privacy/", {"bin_retention_days": "7", "access_log_enabled": "on"})
    assert saved.status_code == 302
    assert services.get_settings(ana.workspace.pk).bin_retention_days == 7
    bad = web.post("/settings/privacy/", {"bin_retention_days": "muitos"})
    assert bad.status_code == 422
    old = (timezone.now() - timedelta(days=16)).strftime("%Y-%m-%dT%H:%M")
    web.post(
        "/settings/privacy/requests/",
        {"kind": "access", "person_id": str(maria.pk), "received_at": old, "subject_label": "M."},
    )
    page = web.get("/settings/privacy/requests/?overdue=1").content.decode()
    assert "Atrasad" in page and "Maria Souza" in page
    # The access log was switched on: the person page view is recorded and listed.
    web.get(f"/people/{maria.pk}/")
    assert AccessRecord.objects.filter(person_id=maria.pk, action="view").count() == 1
    log = web.get(f"/people/{maria.pk}/access-log/").content.decode()
    assert "ana@aurora.test" in log


def test_bin_purge_erases_after_the_retention_and_survives_a_bad_row(ana, carla, monkeypatch):
    old = _binned(ana, "Velha", days_ago=31)
    broken = _binned(ana, "Quebrada", days_ago=40)
    recent = _binned(ana, "Recente", days_ago=5)
    live = contact_services.create_person(actor=ana.actor, data={"first_name": "Viva"})
    kept_forever = _binned(carla, "Guardada", days_ago=400)
    services.update_settings(actor=carla.actor, data={"bin_retention_days": 0})
    real = erasure.erase_person

    def flaky(*, actor, person_id, **kwargs):
        if person_id == broken.pk:
            raise RuntimeError("disk on fire")
        return real(actor=actor, person_id=person_id, **kwargs)

    monkeypatch.setattr(retention, "erase_person", flaky)
    result = purge_bin()
    assert result.erased == 1 and result.failed == [(broken.pk, "RuntimeError")]
    remaining = set(Person.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert {broken.pk, recent.pk, live.pk, kept_forever.pk} <= remaining
    record = ErasureRecord.objects.get()
    assert record.reason == "bin_retention" and record.created_by is None
    assert "privacy.purge_bin" in {s.name for s in schedule.registered()}


def test_bin_purge_is_bounded_per_run(ana):
    people = [_binned(ana, f"Antiga{i}", days_ago=60 - i) for i in range(3)]
    assert purge_bin(limit=2).erased == 2
    assert set(Person.objects.values_list("pk", flat=True)) == {people[2].pk}
    assert purge_bin(limit=2).erased == 1
