"""The duplicates screens: queue, progress, decisions, merge screen with picks, undo."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.quality.models import CandidateStatus, DuplicateCandidate, MatchModel, MergeRecord
from vinculo.quality.services import duplicates as detection


@pytest.fixture
def twins(ana):
    a = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Heloísa", "last_name": "Bragança", "email": "helo@b.com.br",
              "city": "Olinda"},
    )  # fmt: skip
    b = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Heloisa", "last_name": "Braganca", "email": "helo@b.com.br",
              "phone": "+5581987654321"},
    )  # fmt: skip
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    return a, b


def test_queue_shows_the_pair_side_by_side_with_reasons_and_chart(ana, twins):
    page = ana.web().get(reverse("quality:duplicates"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Heloísa Bragança" in html and "Heloisa Braganca" in html
    assert "email: same value" in html
    # The histogram of the open pairs by probability, drawn by ECharts from json_script data.
    chart = json.loads(
        html.split('id="dedupe-chart-data" type="application/json">')[1].split("<")[0]
    )
    open_pairs = DuplicateCandidate.objects.for_workspace(ana.workspace).filter(status="open")
    assert sum(chart["series"][0]["values"]) == open_pairs.count() >= 1
    assert 'data-chart="dedupe-chart-data"' in html
    learned = MatchModel.objects.get(workspace=ana.workspace, object_type="person")
    auto = round(learned.auto_merge_threshold * 100)
    assert f"Pairs at or above {auto}% are merged automatically" in html
    assert 'id="find-duplicates"' in html


def test_find_duplicates_button_shows_a_polling_progress_card(ana, twins):
    response = ana.web().post(
        reverse("quality:duplicates_run"), {"object_type": "person"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.content.decode()


def test_not_a_duplicate_removes_the_pair_from_the_queue(ana, twins):
    pair = DuplicateCandidate.objects.get(workspace=ana.workspace)
    client = ana.web()
    client.post(reverse("quality:duplicates_decide", args=[pair.pk]), {"status": "not_duplicate"})
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.NOT_DUPLICATE
    assert "Heloisa Braganca" not in client.get(reverse("quality:duplicates")).content.decode()


def test_merge_screen_honours_picks_and_undo_restores(ana, twins):
    a, b = twins
    client = ana.web()
    url = reverse("quality:duplicates_merge")
    screen = client.get(url, {"type": "person", "survivor": a.pk, "loser": b.pk})
    assert screen.status_code == 200
    assert 'name="pick_phone"' in screen.content.decode()
    done = client.post(
        url,
        {"object_type": "person", "survivor": a.pk, "loser": b.pk, "pick_first_name": "loser"},
    )
    assert done.status_code == 302
    kept = Person.objects.get(pk=a.pk)
    assert kept.first_name == "Heloisa" and kept.phone == "+5581987654321"
    record = MergeRecord.objects.get(workspace=ana.workspace)
    client.post(reverse("quality:duplicates_undo", args=[record.pk]))
    assert Person.objects.get(pk=b.pk).deleted_at is None
    assert Person.objects.get(pk=a.pk).first_name == "Heloísa"


def test_bad_pick_is_shown_on_the_form(ana, twins):
    a, b = twins
    response = ana.web().post(
        reverse("quality:duplicates_merge"),
        {"object_type": "person", "survivor": a.pk, "loser": b.pk, "pick_phone": "both"},
    )
    assert response.status_code == 422
    assert "Pick survivor or loser." in response.content.decode()
    assert Person.objects.get(pk=b.pk).deleted_at is None


def test_carla_sees_nothing_and_gets_404(ana, carla, twins):
    a, b = twins
    pair = DuplicateCandidate.objects.get(workspace=ana.workspace)
    client = carla.web()
    assert "Heloisa" not in client.get(reverse("quality:duplicates")).content.decode()
    assert (
        client.get(
            reverse("quality:duplicates_merge"), {"survivor": a.pk, "loser": b.pk}
        ).status_code
        == 404
    )
    response = client.post(
        reverse("quality:duplicates_decide", args=[pair.pk]), {"status": "not_duplicate"}
    )
    assert response.status_code == 404
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.OPEN
    assert client.get(reverse("quality:duplicates_progress", args=[pair.run_id])).status_code == 404


def test_vera_sees_the_queue_but_cannot_act(vera, twins):
    a, b = twins
    client = vera.web()
    html = client.get(reverse("quality:duplicates")).content.decode()
    assert "Heloisa" in html and 'id="find-duplicates"' not in html
    assert (
        client.post(reverse("quality:duplicates_run"), {"object_type": "person"}).status_code == 403
    )
    response = client.post(
        reverse("quality:duplicates_merge"),
        {"object_type": "person", "survivor": a.pk, "loser": b.pk},
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=b.pk).deleted_at is None


def test_merge_screen_shows_owners_by_name_and_list_custom_values(ana, bruno):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "key": "sabores", "label": "Sabores",
              "field_type": "multi_choice", "choices": ["doce", "salgado"]},
    )  # fmt: skip
    a = contacts.create_person(
        actor=ana.actor, data={"first_name": "Iara", "custom_fields": {"sabores": ["doce"]}}
    )
    b = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Iara", "owner_id": bruno.user.pk,
              "custom_fields": {"sabores": ["salgado"]}},
    )  # fmt: skip
    html = (
        ana.web()
        .get(reverse("quality:duplicates_merge"), {"survivor": a.pk, "loser": b.pk})
        .content.decode()
    )
    assert 'name="pick_owner_id"' in html and "bruno@aurora.test" in html.split("pick_owner_id")[2]
    assert 'name="pick_custom_fields.sabores"' in html and "Sabores" in html
