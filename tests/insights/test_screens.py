"""The insights screens (issue 18) against the hand-computed March of tests/sales/test_kpis.py:
the overview's cards (value, previous period, change coloured by which way is good, sparkline
numbers), one KPI's page (series, previous period, groups, currency), its CSV file, a period the
page cannot read, a KPI that does not exist, two workspaces that never see each other's numbers,
and the pages in Portuguese."""

from __future__ import annotations

import csv
import io
import json
import re

from tests.insights.conftest import MARCH
from vinculo.sales.models import Deal

DATA = re.compile(r'<script id="insights-data" type="application/json">(.*?)</script>', re.S)


def chart_data(response) -> dict:
    return json.loads(DATA.search(response.content.decode()).group(1))


def card(response, key: str) -> str:
    """The text of the card of ``key``, blanks collapsed."""
    html = response.content.decode()
    found = re.search(rf'<a class="card kpi-card"[^>]*id="kpi-{key}">(.*?)</a>', html, re.S)
    assert found, key
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_overview_shows_every_kpi_by_app_with_the_previous_period(ana, march):
    response = ana.web().get(f"/insights/?{MARCH}")
    assert response.status_code == 200
    html = response.content.decode()
    # Sales, then contacts, then activities.
    assert html.index('id="kpis-sales"') < html.index('id="kpis-contacts"')
    assert html.index('id="kpis-contacts"') < html.index('id="kpis-activities"')
    # Won in March: A, B, D, E; in the previous period (29/1-28/2): G.
    won = card(response, "deals_won")
    assert won.startswith("Deals won 4 ")
    assert "+300% (better than the previous period)" in won
    assert "previous period: 1" in won
    assert "Deals marked won whose close falls in the period." in won
    link = "/insights/kpis/deals_won/?period=custom&amp;from=2026-03-01&amp;to=2026-03-31"
    assert f'href="{link}"' in html
    # BRL only: A + B + E; February: G.
    assert "New revenue R$6,000.00" in card(response, "new_revenue")
    assert "previous period: R$100.00" in card(response, "new_revenue")
    assert "Win rate 80%" in card(response, "win_rate")
    # The median cycle went from 19 days (G) to 9.5: down is good for a cycle.
    cycle = card(response, "sales_cycle")
    assert "9 days 12 h" in cycle and "\u221250% (better than the previous period)" in cycle
    assert re.search(r'id="kpi-sales_cycle">.*?kpi-change good', html, re.S)
    # Nothing to compare an average with in February's single win? It has one: 100.
    assert "previous period: R$100.00" in card(response, "average_deal_size")
    assert "16-03-01" not in html  # a sanity check on the regex helpers
    # The sparklines: weekly, plain numbers (1/3, 2-8/3, 9-15/3, 16-22/3, 23-29/3, 30-31/3).
    data = chart_data(response)["sparklines"]
    assert data["deals_won"] == [0, 1, 2, 0, 0, 1]
    assert data["new_revenue"] == [0.0, 1000.0, 3000.0, 0.0, 0.0, 2000.0]
    assert data["win_rate"][:3] == [None, 100.0, 100.0]
    assert 'data-sparkline="deals_won"' in html


def test_the_default_period_is_the_last_30_days(ana):
    response = ana.web().get("/insights/")
    assert response.status_code == 200
    assert '<option value="last_30" selected>Last 30 days</option>' in response.content.decode()
    assert all(len(v) in {5, 6} for v in chart_data(response)["sparklines"].values())


def test_a_kpi_page_with_its_series_previous_period_and_groups(ana, bruno, march):
    client = ana.web()
    response = client.get(f"/insights/kpis/deals_won/?{MARCH}&grain=week&group_by=owner")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="kpi-value" id="kpi-value">4</span>' in html
    assert '<span class="kpi-previous" id="kpi-previous">1</span>' in html
    assert "Deals marked won whose close falls in the period." in html
    data = chart_data(response)
    assert [p["value"] for p in data["series"]] == [0, 1, 2, 0, 0, 1]
    assert data["series"][0] == {"start": "2026-03-01", "end": "2026-03-01", "value": 0,
                                 "previous": 0}  # fmt: skip
    # The previous period (29/1-28/2) by week: 29/1-1/2, 2-8/2, 9-15/2, 16-22/2 (G), 23-28/2.
    assert [p["previous"] for p in data["series"]] == [0, 0, 0, 1, 0, None]
    assert data["kind"] == "bar" and data["unit"] == "count"
    # Grouped by owner, largest first: Ana (A, D, E) then Bruno (B).
    assert data["groups"] == [
        {"label": ana.user.full_name or ana.user.email, "value": 3},
        {"label": bruno.user.full_name or bruno.user.email, "value": 1},
    ]
    assert 'id="groups-table"' in html and 'id="groups-chart"' in html
    assert '<option value="owner" selected>' in html
    # The chart's text alternative: the table of the series.
    assert 'id="series-table"' in html and 'role="img"' in html


def test_money_in_the_currency_asked_and_snapshot_kpis(ana, march):
    client = ana.web()
    dollars = client.get(f"/insights/kpis/new_revenue/?{MARCH}&grain=month&currency=USD")
    assert dollars.status_code == 200
    assert '<span class="kpi-value" id="kpi-value">$700.00</span>' in dollars.content.decode()
    assert '<option value="USD" selected>USD</option>' in dollars.content.decode()
    assert chart_data(dollars)["series"][0]["value"] == 700.0
    # Open at the end of March: I and F; at the end of February: A.
    pipeline = client.get(f"/insights/kpis/pipeline_value/?{MARCH}&grain=month")
    html = pipeline.content.decode()
    assert '<span class="kpi-value" id="kpi-value">R$14,000.00</span>' in html
    assert "Measured as of a moment" in html
    refused = client.get(f"/insights/kpis/new_revenue/?{MARCH}&currency=XYZ")
    assert refused.status_code == 400
    assert "Choose a currency from the list." in refused.content.decode()


def test_group_by_pipeline_shows_the_pipelines_names(ana, march):
    response = ana.web().get(f"/insights/kpis/deals_won/?{MARCH}&group_by=pipeline")
    assert response.status_code == 200
    pipeline = Deal.objects.filter(title="A").select_related("pipeline").get().pipeline
    assert chart_data(response)["groups"] == [{"label": pipeline.name, "value": 4}]


def test_the_csv_file_holds_what_the_page_shows_with_formulas_escaped(ana, march):
    Deal.objects.filter(title="A").update(source='=HYPERLINK("http://x")')
    Deal.objects.filter(title__in=["B", "D", "E"]).update(source="site")
    client = ana.web()
    page = client.get(f"/insights/kpis/new_revenue/?{MARCH}&grain=month&group_by=source")
    link = re.search(r'id="kpi-csv" href="([^"]+)"', page.content.decode()).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="new_revenue_2026-03-01_2026-03-31.csv"' in response["Content-Disposition"]
    # At month grain, March's one bucket is beside the previous period's first: 29-31/1.
    assert rows(response.content) == [
        ["Section", "First day", "Last day", "Source", "Value (BRL)", "Previous period",
         "Previous first day", "Previous last day"],
        ["Period", "2026-03-01", "2026-03-31", "", "6000.00", "100.00", "2026-01-29",
         "2026-02-28"],
        ["Series", "2026-03-01", "2026-03-31", "", "6000.00", "0.00", "2026-01-29",
         "2026-01-31"],
        ["Group", "2026-03-01", "2026-03-31", "site", "5000.00", "", "", ""],
        ["Group", "2026-03-01", "2026-03-31", "'=HYPERLINK(\"http://x\")", "1000.00", "", "", ""],
    ]  # fmt: skip
    # Percentages in percent, lengths of time in days.
    rate = rows(client.get(f"/insights/kpis/win_rate/csv?{MARCH}&grain=month").content)
    assert rate[0][4] == "Value (%)" and rate[1][4] == "80.0"
    cycle = rows(client.get(f"/insights/kpis/sales_cycle/csv?{MARCH}&grain=month").content)
    assert cycle[0][4] == "Value (days)" and cycle[1][4:6] == ["9.5", "19.0"]


def test_a_period_the_page_cannot_read_is_said_on_the_page(ana):
    client = ana.web()
    cases = [
        ("period=custom&from=2026-03-31&to=2026-03-01", "The end comes before the start."),
        ("period=custom&from=2026-02-30&to=2026-03-01", "Enter a day as YYYY-MM-DD."),
        ("period=custom&to=2026-03-01", "Give the first day of the period."),
        ("period=someday", "Choose a period from the list."),
        ("period=custom&from=2020-01-01&to=2026-03-01", "Ask for at most three years at a time."),
    ]
    for query, message in cases:
        for path in ("/insights/", "/insights/kpis/deals_won/"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query)
            html = response.content.decode()
            assert 'id="insights-errors"' in html and message in html, (path, query)
            assert "kpi-card" not in html and 'id="series-chart"' not in html
    # The grain, the group and too many points, on a KPI's page.
    for query, message in [
        ("grain=hour", "Choose a grain from the list."),
        ("group_by=lifecycle_stage", "This KPI cannot be cut by lifecycle_stage."),
        ("period=custom&from=2024-01-01&to=2026-03-01&grain=day", "Too many points"),
    ]:
        response = client.get(f"/insights/kpis/deals_won/?{query}")
        assert response.status_code == 400 and message in response.content.decode(), query
    # The CSV of a page that cannot be read goes back to the page, which says why.
    bad = client.get("/insights/kpis/deals_won/csv?period=custom&from=2026-03-31&to=2026-03-01")
    assert bad.status_code == 302
    assert bad["Location"].startswith("/insights/kpis/deals_won/?")


def test_a_kpi_that_does_not_exist_is_not_found(ana):
    client = ana.web()
    assert client.get("/insights/kpis/nope/").status_code == 404
    assert client.get("/insights/kpis/nope/csv").status_code == 404


def test_two_workspaces_never_see_each_other_s_numbers(ana, carla, march):
    mine = ana.web().get(f"/insights/?{MARCH}")
    assert "New revenue R$6,000.00" in card(mine, "new_revenue")
    hers = carla.web().get(f"/insights/?{MARCH}")
    assert card(hers, "deals_won").startswith("Deals won 1 ")
    assert "New revenue R$50,000.00" in card(hers, "new_revenue")
    grouped = carla.web().get(f"/insights/kpis/deals_won/?{MARCH}&group_by=owner")
    assert [g["value"] for g in chart_data(grouped)["groups"]] == [1]
    assert ana.user.email not in grouped.content.decode()
    csv_rows = rows(carla.web().get(f"/insights/kpis/new_revenue/csv?{MARCH}&grain=month").content)
    assert csv_rows[1][4] == "50000.00"


def test_every_role_may_see_insights_and_the_navigation_leads_there(vera):
    client = vera.web()
    assert client.get("/insights/").status_code == 200
    home = client.get("/").content.decode()
    assert re.search(r'<a href="/insights/"[^>]*>Insights</a>', home)
    assert 'class="active" data-icon="insights"' in client.get("/insights/").content.decode()


def test_the_pages_in_portuguese(ana, march):
    client = ana.web("pt-br")
    response = client.get(f"/insights/?{MARCH}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Análises</h1>" in html and ">Vendas</h2>" in html
    assert card(response, "deals_won").startswith("Negócios ganhos 4 ")
    assert "Receita nova R$ 6.000,00" in card(response, "new_revenue")
    assert "período anterior: R$ 100,00" in card(response, "new_revenue")
    assert "Taxa de ganho 80%" in card(response, "win_rate")
    assert "9 dias 12 h" in card(response, "sales_cycle")
    assert "web/vendor/echarts/langPT-br.js" in html
    # Numbers in the chart data stay plain, whatever the language.
    assert chart_data(response)["sparklines"]["new_revenue"][2] == 3000.0
    page = client.get(f"/insights/kpis/new_revenue/?{MARCH}&grain=month&group_by=owner")
    html = page.content.decode()
    assert '<span class="kpi-value" id="kpi-value">R$\xa06.000,00</span>' in html
    assert "Agrupar por" in html and "Por responsável" in html and "Baixar CSV" in html
    assert "01/03/2026 a 31/03/2026" in html
    english = client.get("/insights/", HTTP_ACCEPT_LANGUAGE="en")
    assert "langPT-br.js" in english.content.decode()  # the user's language, not the header's
