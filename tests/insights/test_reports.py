"""The sales reports' screens against the hand-computed March of tests/insights/conftest.py:
deals created in March go through the funnel (B, C, D, E, F, I; four won, C lost), the open
deal I (R$10,000, no expected date) makes the forecast, March's closed deals make win/loss (won
A, B, D, E; lost C); Carla's workspace never shows; bad input is said on the page; the overview
links each report; every page reads in Portuguese too."""

from __future__ import annotations

import json
import re

import pytest

from tests.insights.conftest import MARCH

DATA = re.compile(r'<script id="insights-data" type="application/json">(.*?)</script>', re.S)


def chart_data(response) -> dict:
    return json.loads(DATA.search(response.content.decode()).group(1))


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_funnel_of_march(ana, march):
    response = ana.web().get(f"/insights/reports/pipeline-funnel/?{MARCH}")
    assert response.status_code == 200
    data = chart_data(response)
    assert data["report"] == "pipeline-funnel"
    # B, D, E, F won (beyond every open stage); C lost and I open, both at the first stage.
    assert [s["value"] for s in data["steps"]] == [6, 4, 4, 4, 4, 1]
    page = text(response)
    assert "6 deals created from 03/01/2026 to 03/31/2026" in page
    assert "66.7%" in page  # 4 of 6 reached the second stage


def test_the_forecast_and_win_loss(ana, march):
    client = ana.web()
    forecast = client.get("/insights/reports/sales-forecast/")
    assert forecast.status_code == 200
    data = chart_data(forecast)
    assert data["currency"] == "BRL"
    assert sum(data["total"]) == 10000  # I, with no expected date
    assert "R$10,000.00" in text(forecast)
    dollars = client.get("/insights/reports/sales-forecast/?currency=USD")
    assert sum(chart_data(dollars)["total"]) == 0

    response = client.get(f"/insights/reports/win-loss/?{MARCH}")
    assert response.status_code == 200
    data = chart_data(response)
    assert (data["won"], data["lost"]) == (4, 1)  # A, B, D (in dollars), E; C
    page = text(response)
    assert "R$6,000.00" in page and "80%" in page  # A + B + E in reais; 4 of 5
    assert "No reason given" in page
    assert [o["value"] for o in data["owners"]] == [75.0, 100.0]  # Ana 3 of 4, Bruno 1 of 1


def test_other_workspaces_never_show(carla, march):
    response = carla.web().get(f"/insights/reports/win-loss/?{MARCH}")
    assert response.status_code == 200
    assert (chart_data(response)["won"], chart_data(response)["lost"]) == (1, 0)  # Z only
    assert "R$50,000.00" in text(response)


def test_bad_input_is_said_on_the_page(ana, march):
    client = ana.web()
    backwards = client.get(
        "/insights/reports/win-loss/?period=custom&from=2026-03-31&to=2026-03-01"
    )
    assert backwards.status_code == 400
    assert "The end comes before the start." in text(backwards)
    assert 'id="insights-data"' not in backwards.content.decode()
    assert client.get("/insights/reports/sales-forecast/?pipeline=abc").status_code == 400
    assert client.get("/insights/reports/win-loss/?currency=reais").status_code == 400
    assert client.get("/insights/reports/nope/").status_code == 404


def test_the_overview_links_the_reports(ana, march):
    html = ana.web().get(f"/insights/?{MARCH}").content.decode()
    for name in ("pipeline-funnel", "sales-forecast", "win-loss"):
        assert f'href="/insights/reports/{name}/?period=custom' in html


@pytest.mark.parametrize("name", ["pipeline-funnel", "sales-forecast", "win-loss"])
def test_the_reports_in_portuguese(ana, march, name):
    response = ana.web(language="pt-br").get(f"/insights/reports/{name}/?{MARCH}")
    assert response.status_code == 200
    page = text(response)
    assert "Relatórios" in page
    assert "Definição" in page
