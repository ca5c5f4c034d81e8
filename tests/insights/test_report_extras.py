"""The cohort retention and activity-per-rep screens, and the CSV file of every report, against
the hand-computed fixtures of tests/events/cohort_seed.py, tests/contacts/lifecycle_seed.py,
tests/activities/activity_seed.py and tests/insights/conftest.py (March's deals)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.activities.activity_seed import JUNE, seed_activities
from tests.contacts.lifecycle_seed import seed_lifecycle
from tests.events.cohort_seed import seed_purchases
from tests.insights.conftest import MARCH
from tests.insights.test_reports import chart_data, text
from vinculo.sales.models import Deal

COHORTS = "/insights/reports/cohort-retention/"
ACTIVITY = "/insights/reports/activity-per-rep/"
JAN_APR = "from=2026-01&to=2026-04"


def rows_of(response) -> list[dict[str, str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_the_purchase_cohorts_screen(ana, carla):
    seed_purchases(ana, carla)
    response = ana.web().get(f"{COHORTS}?{JAN_APR}")
    assert response.status_code == 200
    data = chart_data(response)
    assert data["report"] == "cohort-retention"
    assert data["cohorts"] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert data["offsets"] == 4
    # [offset, cohort row, share in percent, people]: January 3/3, 2/3, 2/3, 0/3; February
    # (empty) has no cell; March 1/1 twice; April (empty) none.
    assert data["cells"] == [
        [0, 0, 100.0, 3], [1, 0, 66.7, 2], [2, 0, 66.7, 2], [3, 0, 0.0, 0],
        [0, 2, 100.0, 1], [1, 2, 100.0, 1],
    ]  # fmt: skip
    page = text(response)
    assert "Cohorts from January 2026 to April 2026" in page
    assert "66.7%" in page and "75%" in page  # All cohorts, month 1: 3 of 4
    assert 'href="/insights/reports/cohort-retention/csv?' in response.content.decode()
    revenue = chart_data(ana.web().get(f"{COHORTS}?{JAN_APR}&measure=revenue"))
    # January's reais: 140, 70, 90, 0 -> 100%, 50%, 64.3%, 0%.
    assert [c[2] for c in revenue["cells"] if c[1] == 0] == [100.0, 50.0, 64.3, 0.0]
    other = chart_data(carla.web().get(f"{COHORTS}?{JAN_APR}"))
    assert other["cells"] == [[0, 0, 100.0, 1], [1, 0, 0.0, 0], [2, 0, 0.0, 0], [3, 0, 0.0, 0]]


def test_the_lifecycle_cohorts_screen_in_portuguese(ana, carla):
    seed_lifecycle(ana, carla)
    response = ana.web(language="pt-br").get(f"{COHORTS}?basis=lifecycle&from=2026-01&to=2026-03")
    assert response.status_code == 200
    assert [c[3] for c in chart_data(response)["cells"] if c[1] == 0] == [3, 2, 2]
    page = text(response)
    assert "Retenção por coorte" in page and "Definição" in page
    assert "66,7%" in page  # 2 of 3, in Brazilian form
    assert "Coortes de Janeiro de 2026 a Março de 2026" in page


@pytest.mark.parametrize(
    "query",
    ["from=2026-13", "from=2026-04&to=2026-01", "basis=vendas", "from=2020-01&to=2026-01",
     "measure=tudo"],
)  # fmt: skip
def test_bad_cohort_input_is_said_on_the_page(ana, query):
    response = ana.web().get(f"{COHORTS}?{query}")
    assert response.status_code == 400
    assert 'id="insights-errors"' in response.content.decode()
    assert 'id="insights-data"' not in response.content.decode()


def test_the_activity_screen(ana, bruno, carla):
    seed_activities(ana, bruno, carla)
    response = ana.web().get(f"{ACTIVITY}?period=custom&{JUNE}")
    assert response.status_code == 200
    data = chart_data(response)
    assert data["columns"] == ["calls", "meetings", "emails", "notes", "tasks_done",
                               "tasks_overdue"]  # fmt: skip
    # Ana and Bruno six each (Ana first by name), Vera none.
    assert data["values"]["calls"] == [2, 1, 0]
    assert data["values"]["tasks_done"] == [0, 2, 0]
    page = text(response)
    assert "Activity from 06/01/2026 to 06/30/2026" in page
    pt = text(ana.web(language="pt-br").get(f"{ACTIVITY}?period=custom&{JUNE}"))
    assert "Atividade por vendedor" in pt and "Tarefas atrasadas" in pt
    backwards = ana.web().get(f"{ACTIVITY}?period=custom&from=2026-06-30&to=2026-06-01")
    assert backwards.status_code == 400
    assert chart_data(carla.web().get(f"{ACTIVITY}?period=custom&{JUNE}"))["values"]["calls"] == [1]


def test_the_csv_of_the_new_reports(ana, bruno, carla):
    seed_purchases(ana, carla)
    client = ana.web()
    cohorts = client.get(f"{COHORTS}csv?{JAN_APR}")
    assert cohorts.status_code == 200
    assert cohorts["Content-Type"] == "text/csv; charset=utf-8"
    lines = rows_of(cohorts)
    january = [r for r in lines if r["cohort"] == "2026-01"]
    assert [r["retained"] for r in january] == ["3", "2", "2", "0"]
    assert [r["month"] for r in january] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert january[1]["share"] == "0.666667" and january[1]["revenue"] == "70.00"
    assert january[2]["revenue_share"] == "0.642857"  # 90 / 140
    assert {r["currency"] for r in lines} == {"BRL"}
    assert len(lines) == 4 + 3 + 2 + 1  # the triangle of four months
    seed_activities(ana, bruno, carla)
    activity = rows_of(client.get(f"{ACTIVITY}csv?period=custom&{JUNE}"))
    totals = activity[-1]
    assert (totals["section"], totals["calls"], totals["total"]) == ("total", "3", "12")
    bad = client.get(f"{COHORTS}csv?from=2026-13")
    assert bad.status_code == 302 and bad["Location"].startswith(COHORTS)


def test_the_csv_of_the_sales_reports(ana, march):
    client = ana.web()
    funnel = rows_of(client.get(f"/insights/reports/pipeline-funnel/csv?{MARCH}"))
    # B, D, E, F won (beyond every open stage); C lost and I open, both at the first stage.
    assert [r["deals"] for r in funnel] == ["6", "4", "4", "4", "4", "1"]
    assert funnel[1]["from_previous"] == "0.666667"  # 4 of 6
    forecast = rows_of(client.get("/insights/reports/sales-forecast/csv"))
    assert forecast[-1]["key"] == "total" and forecast[-1]["total"] == "10000.00"  # I
    win_loss = rows_of(client.get(f"/insights/reports/win-loss/csv?{MARCH}"))
    total = win_loss[0]
    # Won A, B, D, E; lost C; in reais A 1,000 + B 3,000 + E 2,000.
    assert (total["section"], total["won"], total["lost"], total["won_amount"]) == (
        "total",
        "4",
        "1",
        "6000.00",
    )
    assert total["win_rate"] == "0.8"
    assert client.get("/insights/reports/nope/csv").status_code == 404
    assert 'id="report-csv"' in client.get(f"/insights/reports/win-loss/?{MARCH}").content.decode()


def test_csv_escapes_formulas(ana, march):
    Deal.objects.filter(title="C").update(source="=HYPERLINK(1)")
    rows = rows_of(ana.web().get(f"/insights/reports/win-loss/csv?{MARCH}"))
    labels = [r["label"] for r in rows if r["section"] == "source"]
    assert "'=HYPERLINK(1)" in labels
