"""The reviews API: schedule, write findings, freeze, hold (the next one scheduled), decisions
made tasks, the documents; a viewer reads but cannot change; another workspace gets 404s."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.api import fields_of, problem, send
from vinculo.activities.models import Activity

API = "/api/v1/reviews"


def test_a_review_from_scheduling_to_its_documents(ana, bruno):
    client = ana.client()
    # A review in the past or the future alike: its period is set by its date.
    made = send(client, "post", API, {"held_on": "2026-06-30"})
    assert made.status_code == 201, made.content
    review = made.json()
    assert (review["title"], review["status"]) == ("Review of 2026-06-30", "scheduled")
    url = f"{API}/{review['id']}"
    changed = send(client, "patch", url, {"findings": "Poucas ligações em maio."})
    assert changed.json()["findings"] == "Poucas ligações em maio."
    decided = send(
        client,
        "post",
        f"{url}/decisions",
        {"text": "Treinar o time", "owner_id": bruno.user.pk, "due_on": "2026-07-15"},
    )
    assert decided.status_code == 201, decided.content
    task = Activity.objects.get(pk=decided.json()["task_id"])
    assert (task.subject, task.assignee_id) == ("Treinar o time", bruno.user.pk)
    frozen = send(client, "post", f"{url}/freeze", None).json()
    assert frozen["frozen_at"] is not None
    # The first review looks back 90 days, to the day before it is held.
    assert (frozen["snapshot"]["start"], frozen["snapshot"]["end"]) == (
        "2026-04-01",
        "2026-06-29",
    )
    held = send(client, "post", f"{url}/hold", None).json()
    assert held["status"] == "held" and held["snapshot"] == frozen["snapshot"]
    listed = client.get(API).json()
    # The next one, three months later, is scheduled.
    assert [(r["held_on"], r["status"]) for r in listed] == [
        ("2026-09-30", "scheduled"),
        ("2026-06-30", "held"),
    ]
    problem(send(client, "post", f"{url}/hold", None), 409)
    pdf = client.get(f"{url}/document")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Poucas ligações em maio." in text and "Treinar o time" in text
    xlsx = client.get(f"{url}/document?format=xlsx")
    assert xlsx["Content-Disposition"] == 'attachment; filename="review-2026-06-30.xlsx"'
    assert len(load_workbook(io.BytesIO(xlsx.content)).worksheets) == 4
    problem(client.get(f"{url}/document?format=doc"), 422)


def test_bad_input_names_the_field(ana):
    client = ana.client()
    assert fields_of(problem(send(client, "post", API, {"held_on": "30/06/2026"}), 422)) == {
        "held_on"
    }
    review = send(client, "post", API, {"held_on": "2026-06-30"}).json()
    url = f"{API}/{review['id']}"
    assert fields_of(problem(send(client, "patch", url, {"title": "x" * 151}), 422)) == {"title"}
    # An empty title is the default one, worded in the reader's language.
    cleared = send(client, "patch", url, {"title": " "}).json()
    assert cleared["title"] == "Review of 2026-06-30"
    assert ana.client("pt-br").get(url).json()["title"] == "Revisão de 2026-06-30"
    bad = send(client, "post", f"{url}/decisions", {"text": "", "owner_id": 999999})
    assert fields_of(problem(bad, 422)) >= {"text"}
    assert not Activity.objects.exists()


def test_a_viewer_reads_and_cannot_change(ana, vera):
    review = send(ana.client(), "post", API, {"held_on": "2026-06-30"}).json()
    client = vera.client()
    assert client.get(f"{API}/{review['id']}").status_code == 200
    problem(send(client, "post", f"{API}/{review['id']}/freeze", None), 403)
    problem(send(client, "post", API, {"held_on": "2026-07-30"}), 403)


def test_another_workspace_sees_none_of_it(ana, carla):
    review = send(ana.client(), "post", API, {"held_on": "2026-06-30"}).json()
    url = f"{API}/{review['id']}"
    client = carla.client()
    assert client.get(API).json() == []
    for response in (
        client.get(url),
        client.get(f"{url}/document"),
        send(client, "patch", url, {"findings": "x"}),
        send(client, "post", f"{url}/freeze", None),
        send(client, "post", f"{url}/decisions", {"text": "x"}),
    ):
        problem(response, 404)
