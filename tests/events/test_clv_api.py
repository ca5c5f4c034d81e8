"""CLV and churn risk through the API, the filter language, the KPIs and the screens, on the
five-buyer fixture of test_clv (a high-risk, a medium-risk and three low-risk buyers; too few
repeat buyers for the model) and another workspace's buyer."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.api import problem, send
from tests.events.clv_data import DAY, many
from tests.integrations.test_openapi_contract import conforms
from vinculo.contacts import services as contacts
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.events.models import CustomerValue
from vinculo.events.services.rfm import recompute_rfm

API = "/api/v1"


@pytest.fixture
def openapi():
    return Client().get(f"{API}/openapi.json").json()


def test_the_summary_gives_the_fit_its_warning_and_the_churn_counts(ana, carla, few, openapi):
    client = ana.client()
    before = client.get(f"{API}/customer-value")
    conforms(openapi, "get", f"{API}/customer-value", before)
    assert (before.json()["model"], before.json()["total_clv"]) == (None, None)
    done = send(client, "post", f"{API}/customer-value/recompute", {"analysis_date": "2026-07-31"})
    conforms(openapi, "post", f"{API}/customer-value/recompute", done)
    body = client.get(f"{API}/customer-value").json()
    model = body["model"]
    assert (model["analysis_date"], model["fitted"], model["customers"]) == ("2026-07-31", False, 5)
    assert model["parameters"] == dict.fromkeys(["r", "alpha", "a", "b", "p", "q", "gamma"])
    assert model["warnings"] == [
        {
            "code": "too_few_repeat_buyers",
            "params": {"found": 4, "minimum": 10},
            "message": "Too few repeat buyers to fit the models: 4 found, the minimum is 10.",
        }
    ]
    # b (high, 300 a year), d (medium, 40 a year), a, c, e low (220 + 100 + 20).
    assert body["churn"] == [
        {"risk": "low", "label": "Low", "people": 3, "value_at_stake": "340.00"},
        {"risk": "medium", "label": "Medium", "people": 1, "value_at_stake": "40.00"},
        {"risk": "high", "label": "High", "people": 1, "value_at_stake": "300.00"},
    ]
    pt = ana.client("pt-br").get(f"{API}/customer-value").json()
    assert pt["model"]["warnings"][0]["message"] == (
        "Poucos clientes que compraram de novo para ajustar os modelos: 4 encontrados, "
        "o mínimo é 10."
    )
    assert carla.client().get(f"{API}/customer-value").json()["model"] is None


def test_the_at_risk_list_pages_by_value_at_stake_and_keeps_to_the_workspace(
    ana, carla, few, openapi
):
    recompute_rfm(ana.actor, DAY)
    recompute_rfm(carla.actor, DAY)
    client = ana.client()
    first = client.get(f"{API}/customer-value/at-risk", {"limit": 1})
    assert first.status_code == 200, first.content
    conforms(openapi, "get", f"{API}/customer-value/at-risk", first)
    item = first.json()["items"][0]
    assert (item["name"], item["churn_risk"], item["value_at_stake"]) == ("b", "high", "300.00")
    assert item["churn_reason"] == "overdue"
    assert item["churn_reason_text"] == (
        "No purchase for 151 days: 5.0 times their usual 30.0 days between purchases."
    )
    cursor = first.json()["next_cursor"]
    second = client.get(f"{API}/customer-value/at-risk", {"limit": 1, "cursor": cursor}).json()
    assert [i["name"] for i in second["items"]] == ["d"] and second["next_cursor"] is None
    assert second["items"][0]["churn_reason_text"] == (
        "No purchase for 60 days: 2.0 times the 30.5 days between purchases usual in this "
        "workspace "
        "(one purchase so far)."
    )
    high = client.get(f"{API}/customer-value/at-risk", {"risk": "high"}).json()["items"]
    assert [i["name"] for i in high] == ["b"]
    pt = ana.client("pt-br").get(f"{API}/customer-value/at-risk").json()["items"]
    assert pt[0]["churn_risk_label"] == "Alto"
    assert pt[0]["churn_reason_text"] == (
        "Nenhuma compra há 151 dias: 5,0 vezes o intervalo habitual de 30,0 dias entre compras."
    )
    problem(client.get(f"{API}/customer-value/at-risk", {"risk": "soon"}), 422)
    problem(client.get(f"{API}/customer-value/at-risk", {"cursor": "???"}), 422)
    # Carla's buyer (two days in a row, silent 29 days: 29 times her cadence of 1) is hers alone.
    theirs = carla.client().get(f"{API}/customer-value/at-risk").json()["items"]
    assert [(i["name"], i["churn_risk"]) for i in theirs] == [("Outra", "high")]


def test_a_persons_value_has_the_churn_reason_in_both_languages(ana, carla, few, openapi):
    recompute_rfm(ana.actor, DAY)
    url = f"{API}/people/{few['e'].pk}/value"
    one = ana.client().get(url)
    conforms(openapi, "get", url, one)
    body = one.json()
    assert {k: body[k] for k in ("repeat_purchases", "t_x_days", "age_days", "cadence_days")} == {
        "repeat_purchases": 1,
        "t_x_days": 31,
        "age_days": 152,
        "cadence_days": 31.0,
    }
    assert (body["clv"], body["p_alive"], body["expected_purchases"]) == (None, None, None)
    assert (body["churn_risk"], body["value_at_stake"]) == ("low", "20.00")
    # A call on 07-20: 11 days of silence against a cadence of 31 (0.4 times).
    assert body["churn_reason_text"] == (
        "No purchase, and no contact for 11 days: 0.4 times their usual 31.0 days between "
        "purchases."
    )
    pt = ana.client("pt-br").get(url).json()
    assert pt["churn_reason_text"] == (
        "Nenhuma compra, e nenhum contato há 11 dias: 0,4 vezes o intervalo habitual de 31,0 dias "
        "entre compras."
    )
    problem(carla.client().get(url), 404)


def _people(client, tree):
    found = client.get(f"{API}/people", {"filter": json.dumps(tree), "limit": 100})
    assert found.status_code == 200, found.content
    return {p["first_name"] for p in found.json()["items"]}


def test_the_filter_language_reads_churn_risk_and_value(ana, carla, few):
    recompute_rfm(ana.actor, DAY)
    recompute_rfm(carla.actor, DAY)
    client = ana.client()
    assert _people(client, {"field": "churn_risk", "op": "eq", "value": "high"}) == {"b"}
    stake = {"field": "value_at_stake", "op": "gt", "value": 150}
    assert _people(client, stake) == {"a", "b"}  # 220 and 300
    # Not fitted: no CLV, no probability alive; "is empty" finds every buyer and Nobody.
    contacts.create_person(actor=ana.actor, data={"first_name": "Nobody"})
    assert _people(client, {"field": "clv", "op": "is_empty"}) == {
        "a",
        "b",
        "c",
        "d",
        "e",
        "Nobody",
    }
    assert _people(carla.client(), {"field": "churn_risk", "op": "eq", "value": "high"}) == {
        "Outra"
    }
    problem(
        client.get(
            f"{API}/people",
            {"filter": json.dumps({"field": "churn_risk", "op": "eq", "value": "soon"})},
        ),
        400,
    )


def test_the_filter_language_on_a_fitted_workspace(ana):
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    many(ana.actor)
    recompute_rfm(ana.actor, DAY)
    rows = CustomerValue.objects.for_workspace(ana.actor.workspace).select_related("person")
    client = ana.client()
    rich = {r.person.first_name for r in rows if r.clv is not None and r.clv > Decimal(300)}
    assert rich  # the fixture has buyers worth more than 300 in the next year
    clv = {"field": "clv", "op": "gt", "value": 300}
    assert _people(client, clv) == rich
    at_risk = {"field": "rfm_segment", "op": "eq", "value": "at_risk"}
    expected = {r.person.first_name for r in rows if r.segment == "at_risk" and r.clv > 300}
    assert _people(client, {"and": [at_risk, clv]}) == expected
    alive = {r.person.first_name for r in rows if r.p_alive is not None and r.p_alive < 0.5}
    assert _people(client, {"field": "p_alive", "op": "lt", "value": 0.5}) == alive


def test_the_at_risk_kpis(ana, carla, few):
    recompute_rfm(ana.actor, DAY)
    recompute_rfm(carla.actor, DAY)
    today = timezone.localdate()
    period = {"start": today, "end": today, "grain": Grain.DAY}
    # At the end of today the latest analysis counts: b (high, 300) and d (medium, 40).
    assert measure("customers_at_risk", Scope(actor=ana.actor), **period).value == 2
    assert measure("revenue_at_risk", Scope(actor=ana.actor), **period).value == Decimal("340.00")
    assert measure("customers_at_risk", Scope(actor=carla.actor), **period).value == 1
    # Through the KPI API, cut by owner (nobody owns the five: one group of 2).
    found = ana.client().get(
        f"{API}/kpis/customers_at_risk",
        {"from": str(today), "to": str(today), "grain": "day", "group_by": "owner"},
    )
    assert found.status_code == 200, found.content
    assert (found.json()["value"], [g["value"] for g in found.json()["groups"]]) == (2, [2])


def test_the_screen_shows_the_fit_the_chart_data_and_the_list(ana, vera, carla, few):
    recompute_rfm(ana.actor, DAY)
    page = ana.web().get("/customer-value/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'id="clv-model"' in html and 'id="clv-data"' in html and "events/customer_value.js" in html
    )
    assert "Too few repeat buyers to fit the models: 4 found, the minimum is 10." in html
    assert "No purchase for 151 days" in html and 'id="recompute-form"' in html
    pt = ana.web("pt-br").get("/customer-value/").content.decode()
    assert "Valor do cliente" in pt and "Clientes em risco" in pt
    # The person page's card: risk and reason in words.
    card = ana.web().get(f"/people/{few['b'].pk}/").content.decode()
    assert "Churn risk: High" in card and "No purchase for 151 days" in card
    assert "Not predicted" in card
    # A viewer sees the screen without the form and cannot recompute.
    viewer = vera.web()
    assert 'id="recompute-form"' not in viewer.get("/customer-value/").content.decode()
    assert (
        viewer.post("/customer-value/recompute/", {"analysis_date": "2026-07-31"}).status_code
        == 403
    )
    # A bad date names the field; a good one recomputes.
    bad = ana.web().post("/customer-value/recompute/", {"analysis_date": "2026-02-31"})
    assert bad.status_code == 422 and "Enter a valid date" in bad.content.decode()
    good = ana.web().post("/customer-value/recompute/", {"analysis_date": "2026-06-30"})
    assert good.status_code == 302
    assert {r.analysis_date for r in CustomerValue.objects.for_workspace(ana.actor.workspace)} == {
        date(2026, 6, 30)
    }
    # Carla's screen has nothing of Ana's.
    assert "No purchase for 151 days" not in carla.web().get("/customer-value/").content.decode()


def test_the_clv_kpis_sum_and_average_the_predictions(ana, carla, few):
    today = timezone.localdate()
    period = {"start": today, "end": today, "grain": Grain.DAY}
    # Too few repeat buyers: nothing is predicted, so nothing is summed (no invented value).
    recompute_rfm(ana.actor, DAY)
    assert measure("customer_lifetime_value", Scope(actor=ana.actor), **period).value == 0
    assert measure("average_clv", Scope(actor=ana.actor), **period).value is None
    # A fitted workspace: the KPIs are the sum and the mean of the stored predictions, in cents.
    many(ana.actor)
    recompute_rfm(ana.actor, DAY)
    predicted = [
        r.clv for r in CustomerValue.objects.for_workspace(ana.actor.workspace) if r.clv is not None
    ]
    assert len(predicted) > 10
    total = measure("customer_lifetime_value", Scope(actor=ana.actor), **period).value
    assert total == sum(predicted)
    mean = measure("average_clv", Scope(actor=ana.actor), **period).value
    assert mean == (sum(predicted) / len(predicted)).quantize(Decimal("0.01"))
    # Carla's workspace has no prediction of its own and never sums Ana's.
    recompute_rfm(carla.actor, DAY)
    assert measure("customer_lifetime_value", Scope(actor=carla.actor), **period).value == 0
