"""The matcher's API: what the last scan learned (``GET /quality/duplicates/model``) and the
records a set of values probably describes (``POST /quality/duplicates/check``); Carla never
sees Ana's records or model, Vera (viewer) reads both."""

from __future__ import annotations

import math

import pytest
from django.test import Client

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.quality.models import MatchModel
from vinculo.quality.services import duplicates as detection

BASE = "/api/v1/quality/duplicates"
ROSA = {"first_name": "Rosângela", "last_name": "Albuquerque", "birth_date": "1984-03-17"}


def _person(persona, **data):
    return contacts.create_person(actor=persona.actor, data=data)


@pytest.fixture
def rosa(ana):
    found = _person(ana, **ROSA, email="rosa@albuquerque.com.br", city="Recife")
    _person(ana, first_name="Rosangela", last_name="Albuquerque", email="rosa@albuquerque.com.br")
    for i, (first, last) in enumerate([("Tiago", "Moura"), ("Lúcia", "Prado"), ("Caio", "Reis")]):
        _person(ana, first_name=first, last_name=last, email=f"p{i}@example.com.br")
    return found


def test_no_model_before_the_first_scan_is_a_404_problem(ana, rosa):
    body = problem(ana.client().get(f"{BASE}/model", {"object_type": "person"}), 404)
    assert "default weights" in body["detail"]
    pt = problem(ana.client("pt-br").get(f"{BASE}/model"), 404)
    assert "pesos padrão" in pt["detail"]


def test_a_bad_object_type_is_a_422_naming_it(ana):
    body = problem(ana.client().get(f"{BASE}/model", {"object_type": "deal"}), 422)
    assert fields_of(body) == {"object_type"}
    body = problem(send(ana.client(), "post", f"{BASE}/check",
                        {"object_type": "deal", "values": {}}), 422)  # fmt: skip
    assert fields_of(body) == {"object_type"}


def test_the_model_after_a_scan_has_figures_weights_and_rules(ana, rosa):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    stored = MatchModel.objects.get(workspace=ana.workspace, object_type="person")
    response = ana.client().get(f"{BASE}/model", {"object_type": "person"})
    assert response.status_code == 200
    body = response.json()
    assert body["records"] == 5 and body["compared"] == stored.compared
    assert body["review_threshold"] == stored.review_threshold
    assert body["auto_merge_threshold"] == stored.auto_merge_threshold
    thresholds = stored.report["thresholds"]
    assert body["review_precision"] == thresholds["review_precision"]
    assert body["review_recall"] == thresholds["review_recall"]
    assert body["blocking_recall"] == stored.report["recall"]["recall"]
    fields = {f["key"]: f for f in body["fields"]}
    email = fields["email"]
    assert email["label"] == "email" and email["fill"] == 1.0
    column = stored.params["signature"].index("email:email")
    m, u = stored.params["m"][column], stored.params["u"][column]
    assert email["same"] == round(math.log2(m[-1] / u[-1]), 1)
    assert email["different"] == round(math.log2(m[0] / u[0]), 1)
    assert list(email["weights"]) == ["different", "same_mailbox_name", "same"]
    assert fields["birth_date"]["fill"] == 0.2
    rules = {r["rule"]: r for r in body["rules"]}
    assert rules["sound:names"]["text"] == "names that sound alike"
    typo = rules["first_name+first3:last_name"]
    assert typo["text"] == "first name + first 3 letters of last name"
    assert rules["birth_date+postal_code"]["used"] is False
    assert rules["birth_date+postal_code"]["why"] == "rarely_filled"
    assert rules["birth_date+postal_code"]["why_text"] == "rarely filled"
    used = [r for r in body["rules"] if r["used"]]
    shares = stored.report["recall"]["shares"]
    assert [r["share"] for r in used] == shares + [0.0] * (len(used) - len(shares))
    assert rules["email"]["used"] and rules["email"]["share"] > 0
    assert all(r["why"] is None for r in used)


def test_the_model_speaks_portuguese(ana, rosa):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    body = ana.client("pt-br").get(f"{BASE}/model").json()
    fields = {f["key"]: f["label"] for f in body["fields"]}
    assert fields["birth_date"] == "data de nascimento"
    rules = {r["rule"]: r for r in body["rules"]}
    assert rules["sound:names"]["text"] == "nomes que soam parecido"
    assert rules["last_name+year:birth_date"]["text"] == "sobrenome + ano de data de nascimento"
    assert rules["birth_date+postal_code"]["why_text"] == "pouco preenchida"


def test_check_finds_the_probable_person_with_reasons(ana, rosa):
    response = send(ana.client(), "post", f"{BASE}/check",
                    {"object_type": "person", "values": {**ROSA, "city": "recife"}})  # fmt: skip
    assert response.status_code == 200, response.content
    (first, *_rest) = response.json()["matches"]
    assert first["id"] == rosa.pk and first["name"] == "Rosângela Albuquerque"
    assert first["probability"] >= 0.9
    reasons = {(r["field"], r["level"]): r for r in first["reasons"]}
    assert reasons[("birth_date", "same")]["text"] == "birth date: same value"
    assert reasons[("birth_date", "same")]["bits"] > 0
    pt = send(ana.client("pt-br"), "post", f"{BASE}/check", {"values": ROSA}).json()
    assert "data de nascimento: mesmo valor" in {r["text"] for r in pt["matches"][0]["reasons"]}
    nobody = send(ana.client(), "post", f"{BASE}/check",
                  {"values": {"first_name": "Zuleica", "last_name": "Tavares"}})  # fmt: skip
    assert nobody.json() == {"matches": []}


def test_check_leaves_out_the_record_being_edited_and_caps_the_list(ana, rosa):
    body = {"values": ROSA, "exclude_id": rosa.pk}
    found = send(ana.client(), "post", f"{BASE}/check", body).json()["matches"]
    assert rosa.pk not in {m["id"] for m in found}
    capped = send(ana.client(), "post", f"{BASE}/check",
                  {"values": {**ROSA, "email": "rosa@albuquerque.com.br"}, "limit": 1})  # fmt: skip
    assert len(capped.json()["matches"]) == 1


def test_check_refuses_unknown_fields_naming_them(ana):
    client = ana.client()
    typo = {"values": {"frist_name": "Ana", "custom_fields": {"nope": "1"}}}
    body = problem(send(client, "post", f"{BASE}/check", typo), 422)
    assert fields_of(body) == {"values.frist_name"}
    body = problem(send(client, "post", f"{BASE}/check",
                        {"values": {"custom_fields": {"nope": "1"}}}), 422)  # fmt: skip
    assert fields_of(body) == {"values.custom_fields.nope"}
    body = problem(send(client, "post", f"{BASE}/check", {"values": {}, "extra": 1}), 422)
    assert fields_of(body) == {"extra"}


def test_check_compares_custom_identifiers(ana):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "label": "RG", "field_type": "text", "identifier": True},
    )
    contacts.create_custom_field(
        actor=ana.actor, data={"object_type": "person", "label": "Apelido", "field_type": "text"}
    )
    owner = _person(ana, first_name="Joaquim", last_name="Barbosa",
                    custom_fields={"rg": "12.345.678-9"})  # fmt: skip
    values = {"first_name": "Joaquim", "last_name": "Barbosa",
              "custom_fields": {"rg": "12.345.678-9", "apelido": "Quinzinho"}}  # fmt: skip
    found = send(ana.client(), "post", f"{BASE}/check", {"values": values}).json()["matches"]
    assert [m["id"] for m in found] == [owner.pk]
    assert ("custom:rg", "same") in {(r["field"], r["level"]) for r in found[0]["reasons"]}
    assert "RG: same value" in {r["text"] for r in found[0]["reasons"]}


def test_check_finds_companies(ana):
    acme = contacts.create_company(
        actor=ana.actor,
        data={"name": "Padaria Pão Quente Ltda", "email": "contato@paoquente.com.br",
              "website": "https://www.paoquente.com.br", "city": "Olinda"},
    )  # fmt: skip
    values = {"name": "Padaria Pao Quente", "domain": "paoquente.com.br", "city": "Olinda"}
    found = send(ana.client(), "post", f"{BASE}/check",
                 {"object_type": "company", "values": values}).json()["matches"]  # fmt: skip
    assert [m["id"] for m in found] == [acme.pk]


def test_carla_never_gets_anas_records_nor_model(ana, carla, rosa):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    client = carla.client()
    problem(client.get(f"{BASE}/model", {"object_type": "person"}), 404)
    body = {"values": {**ROSA, "email": "rosa@albuquerque.com.br"}}
    assert send(client, "post", f"{BASE}/check", body).json() == {"matches": []}
    carlas = _person(carla, **ROSA)
    theirs = send(client, "post", f"{BASE}/check", body).json()["matches"]
    assert [m["id"] for m in theirs] == [carlas.pk]
    anas = send(ana.client(), "post", f"{BASE}/check", body).json()["matches"]
    assert carlas.pk not in {m["id"] for m in anas} and rosa.pk in {m["id"] for m in anas}


def test_vera_reads_the_model_and_checks(vera, ana, rosa):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    assert vera.client().get(f"{BASE}/model").status_code == 200
    found = send(vera.client(), "post", f"{BASE}/check", {"values": ROSA})
    assert found.status_code == 200 and found.json()["matches"]


def test_no_token_no_answer(db):
    assert Client().get(f"{BASE}/model").status_code == 401
