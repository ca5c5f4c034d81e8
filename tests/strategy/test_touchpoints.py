"""The touchpoint map: cells through the API with every inconsistent policy named, one cell per
stage, department and channel, the policy in words in both languages, the communication policy
other apps read (ordered by the stages' order), two-workspace isolation, and the grid screen."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.api import fields_of, problem, send
from vinculo.strategy.touchpoint_policy import policy_words
from vinculo.strategy.touchpoint_selectors import communication_policy

API = "/api/v1"
SLA = {
    "lifecycle_stage": "lead",
    "department": "sales",
    "channel": "whatsapp",
    "policy_kind": "reply_within",
    "policy_amount": 2,
    "policy_unit": "business_hours",
    "policy_note": "Fora do horário: resposta automática.",
    "kpi_key": "lead_response_time",
}
NEWSLETTER = {
    "lifecycle_stage": "subscriber",
    "department": "marketing",
    "channel": "email",
    "policy_kind": "at_most",
    "policy_amount": 2,
    "policy_unit": "week",
}


def test_touchpoints_crud(ana, bruno):
    client = ana.client()
    created = send(client, "post", f"{API}/touchpoints", SLA | {"owner_id": bruno.user.pk})
    assert created.status_code == 201, created.content
    cell = created.json()
    assert cell["policy_words"] == "Reply within 2 business hours"
    assert cell["owner_id"] == bruno.user.pk
    url = f"{API}/touchpoints/{cell['id']}"
    assert [c["id"] for c in client.get(f"{API}/touchpoints").json()] == [cell["id"]]
    changed = send(client, "patch", url, {"policy_amount": 1, "policy_unit": "hours"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["policy_words"] == "Reply within 1 hour"  # singular
    assert changed.json()["channel"] == "whatsapp"  # kept
    # dropping the rule drops its amount and unit with it
    dropped = send(client, "patch", url, {"policy_kind": ""}).json()
    assert (dropped["policy_amount"], dropped["policy_unit"], dropped["policy_words"]) == (
        None,
        "",
        "",
    )
    assert client.delete(url).status_code == 204
    problem(client.get(url), 404)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"lifecycle_stage": "prospect"}, "lifecycle_stage"),  # no such stage key here
        ({"lifecycle_stage": ""}, "lifecycle_stage"),
        ({"department": "finance"}, "department"),
        ({"channel": "fax"}, "channel"),
        ({"policy_kind": "never"}, "policy_kind"),
        ({"policy_unit": "week"}, "policy_unit"),  # reply within… a week: not a duration
        ({"policy_amount": None}, "policy_amount"),
        ({"policy_amount": 0}, "policy_amount"),  # reply within 0 hours
        ({"policy_unit": ""}, "policy_unit"),
        ({"policy_kind": "at_most", "policy_unit": "hours"}, "policy_unit"),
        ({"policy_kind": "at_least", "policy_amount": 0, "policy_unit": "week"}, "policy_amount"),
        ({"policy_kind": "", "policy_amount": 2, "policy_unit": ""}, "policy_kind"),
        ({"policy_amount": 10_001}, "policy_amount"),
        ({"kpi_key": "happiness"}, "kpi_key"),
        ({"owner_id": 987_654}, "owner_id"),
        ({"team_id": 987_654}, "team_id"),
        ({"policy_note": "x" * 301}, "policy_note"),
    ],
)
def test_bad_cells_name_the_field(ana, data, field):
    body = problem(send(ana.client(), "post", f"{API}/touchpoints", SLA | data), 422)
    assert field in fields_of(body), body


def test_at_most_zero_means_no_messages(ana):
    body = NEWSLETTER | {"policy_amount": 0}
    cell = send(ana.client(), "post", f"{API}/touchpoints", body).json()
    assert cell["policy_words"] == "No messages"


def test_a_cell_is_unique(ana):
    client = ana.client()
    assert send(client, "post", f"{API}/touchpoints", SLA).status_code == 201
    body = problem(send(client, "post", f"{API}/touchpoints", SLA | {"policy_amount": 4}), 422)
    assert fields_of(body) == {"channel"}
    # moving another cell onto it is refused too
    other = send(client, "post", f"{API}/touchpoints", SLA | {"channel": "phone"}).json()
    moved = send(client, "patch", f"{API}/touchpoints/{other['id']}", {"channel": "whatsapp"})
    assert fields_of(problem(moved, 422)) == {"channel"}


@pytest.mark.parametrize(
    ("kind", "amount", "unit", "english", "portuguese"),
    [
        ("reply_within", 2, "business_hours", "Reply within 2 business hours",
         "Responder em até 2 horas úteis"),
        ("reply_within", 1, "business_days", "Reply within 1 business day",
         "Responder em até 1 dia útil"),
        ("reply_within", 15, "minutes", "Reply within 15 minutes",
         "Responder em até 15 minutos"),
        ("at_most", 2, "week", "At most 2 messages a week", "No máximo 2 mensagens por semana"),
        ("at_most", 1, "day", "At most 1 message a day", "No máximo 1 mensagem por dia"),
        ("at_least", 1, "month", "At least 1 contact a month", "Pelo menos 1 contato por mês"),
        ("", None, "", "", ""),
    ],
)  # fmt: skip
def test_the_policy_in_words_in_both_languages(kind, amount, unit, english, portuguese):
    with translation.override("en"):
        assert policy_words(kind, amount, unit) == english
    with translation.override("pt-br"):
        assert policy_words(kind, amount, unit) == portuguese


def test_the_api_words_the_policy_in_the_readers_language(ana):
    send(ana.client(), "post", f"{API}/touchpoints", SLA)
    cells = ana.client("pt-br").get(f"{API}/touchpoints").json()
    assert cells[0]["policy_words"] == "Responder em até 2 horas úteis"


def test_the_communication_policy_other_apps_read(ana):
    client = ana.client()
    for body in (
        SLA,
        SLA | {"channel": "email", "policy_amount": 4},
        SLA | {"lifecycle_stage": "customer", "department": "service"},
        NEWSLETTER,
        NEWSLETTER | {"lifecycle_stage": "lead"},
    ):
        assert send(client, "post", f"{API}/touchpoints", body).status_code == 201
    # every email cell, in the stages' order (subscriber before lead), whatever the insert order
    emails = communication_policy(ana.workspace, channel="email")
    assert [(p.lifecycle_stage, p.department) for p in emails] == [
        ("subscriber", "marketing"),
        ("lead", "marketing"),
        ("lead", "sales"),
    ]
    found = communication_policy(
        ana.workspace, channel="email", department="marketing", lifecycle_stage="lead"
    )
    assert [(p.kind, p.amount, p.unit) for p in found] == [("at_most", 2, "week")]
    with translation.override("en"):
        assert found[0].words == "At most 2 messages a week"
    assert communication_policy(ana.workspace, department="management") == []
    # the same through the API
    answer = client.get(f"{API}/touchpoints/policy", {"department": "service"}).json()
    assert [(a["lifecycle_stage"], a["channel"], a["words"]) for a in answer] == [
        ("customer", "whatsapp", "Reply within 2 business hours")
    ]
    by_stage = client.get(f"{API}/touchpoints/policy", {"stage": "lead"}).json()
    assert len(by_stage) == 3  # sales whatsapp, sales email, marketing email


def test_a_viewer_reads_but_does_not_write(ana, vera):
    send(ana.client(), "post", f"{API}/touchpoints", SLA)
    client = vera.client()
    assert len(client.get(f"{API}/touchpoints").json()) == 1
    assert len(client.get(f"{API}/touchpoints/policy").json()) == 1
    problem(send(client, "post", f"{API}/touchpoints", SLA | {"channel": "sms"}), 403)


def test_another_workspace_sees_nothing_of_it(ana, bruno, carla):
    cell = send(ana.client(), "post", f"{API}/touchpoints", SLA).json()
    client = carla.client()
    url = f"{API}/touchpoints/{cell['id']}"
    problem(client.get(url), 404)
    problem(send(client, "patch", url, {"policy_amount": 9}), 404)
    problem(client.delete(url), 404)
    assert client.get(f"{API}/touchpoints").json() == []
    assert client.get(f"{API}/touchpoints/policy", {"channel": "whatsapp"}).json() == []
    assert communication_policy(carla.workspace, channel="whatsapp") == []
    # Ana's member cannot own Carla's cell
    body = problem(send(client, "post", f"{API}/touchpoints", SLA | {"owner_id": bruno.user.pk}),
                   422)  # fmt: skip
    assert fields_of(body) == {"owner_id"}
    assert send(client, "post", f"{API}/touchpoints", SLA).status_code == 201  # her own cell


def test_the_grid_shows_stages_in_order_and_each_cell(ana, bruno):
    send(ana.client(), "post", f"{API}/touchpoints", SLA | {"owner_id": bruno.user.pk})
    send(ana.client(), "post", f"{API}/touchpoints", NEWSLETTER)
    page = ana.web("pt-br").get("/strategy/touchpoints/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Responder em até 2 horas úteis" in html
    assert "No máximo 2 mensagens por semana" in html
    assert "Tempo de resposta ao lead" in html  # the watching KPI's name
    # rows in the lifecycle's order: subscriber, lead, mql, …, advocate
    order = [html.index(f'id="stage-{key}"') for key in ("subscriber", "lead", "mql", "customer")]
    assert order == sorted(order)
    # the stage's name carries its definition as a tooltip
    assert 'data-glossary="lead">Lead</abbr>' in html


def test_the_screen_adds_and_refuses_cells(ana):
    web = ana.web("pt-br")
    form = {k: ("" if v is None else v) for k, v in SLA.items()}
    assert web.post("/strategy/touchpoints/", form).status_code == 302
    again = web.post("/strategy/touchpoints/", form)
    assert again.status_code == 422
    assert "Esta etapa e este departamento já têm este canal no mapa." in again.content.decode()
    bad = web.post("/strategy/touchpoints/", form | {"channel": "sms", "policy_unit": "week"})
    assert bad.status_code == 422
    assert "não é uma destas opções: minutes, hours" in bad.content.decode()
