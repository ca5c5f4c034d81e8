"""The lead scoring screens: rules (add, edit, delete, field errors, the top people), the model
screen (outcomes against the minimum, AUC, calibration chart data, retrain), the person page's
card; in English and Portuguese; another workspace's rules are 404."""

from __future__ import annotations

import json

from tests.scoring.history import make_history
from vinculo.contacts import services as contacts
from vinculo.scoring.models import ScoringRule
from vinculo.scoring.services.recompute import recompute_scores
from vinculo.scoring.services.rules import create_rule

FORM = {
    "name": "Decision maker",
    "kind": "field",
    "points": "20",
    "condition": '{"field": "job_title", "op": "contains", "value": "diretor"}',
    "is_active": "on",
}


def test_add_edit_delete_a_rule(ana):
    web = ana.web()
    assert web.post("/settings/scoring/", FORM).status_code == 302
    rule = ScoringRule.objects.for_workspace(ana.workspace).get()
    assert rule.condition == {"field": "job_title", "op": "contains", "value": "diretor"}
    page = web.get(f"/settings/scoring/rules/{rule.pk}/")
    assert page.status_code == 200 and "Decision maker" in page.content.decode()
    assert (
        web.post(f"/settings/scoring/rules/{rule.pk}/", FORM | {"points": "-5"}).status_code == 302
    )
    rule.refresh_from_db()
    assert rule.points == -5
    assert web.post(f"/settings/scoring/rules/{rule.pk}/delete/").status_code == 302
    assert not ScoringRule.objects.for_workspace(ana.workspace).exists()


def test_field_errors_on_the_form(ana):
    web = ana.web()
    bad = web.post("/settings/scoring/", FORM | {"condition": '{"field": "nope"}'})
    assert bad.status_code == 422
    assert "nope" in bad.content.decode()
    bad = web.post("/settings/scoring/", FORM | {"condition": "{not json"})
    assert bad.status_code == 422 and "not valid JSON" in bad.content.decode()
    bad = web.post("/settings/scoring/", FORM | {"kind": "behaviour", "event_name": "X!",
                                                 "half_life_days": "-1"})  # fmt: skip
    text = bad.content.decode()
    assert bad.status_code == 422 and "An event name" in text and "half-life" in text


def test_rules_page_previews_the_top_people_in_portuguese(ana):
    joana = contacts.create_person(
        actor=ana.actor, data={"first_name": "Joana", "job_title": "Diretora"}
    )
    create_rule(actor=ana.actor, data={k: v for k, v in FORM.items() if k != "is_active"}
                | {"condition": json.loads(FORM["condition"])})  # fmt: skip
    recompute_scores(ana.actor)
    page = ana.web("pt-br").get("/settings/scoring/").content.decode()
    assert "Pontuação de leads" in page and "Joana" in page and "+20: Decision maker" in page
    person = ana.web("pt-br").get(f"/people/{joana.pk}/").content.decode()
    assert 'id="lead-score"' in person and "+20: Decision maker" in person


def test_model_screen(ana, bruno):
    page = ana.web().get("/settings/scoring/model/").content.decode()
    assert "needs 100 more outcomes" in page  # 50 won + 50 lost, none yet
    make_history(ana, won=60, lost=60, signal=True)
    assert ana.web().post("/settings/scoring/train/").status_code == 302
    page = ana.web("pt-br").get("/settings/scoring/model/")
    text = page.content.decode()
    assert "AUC no holdout" in text and 'id="calibration-chart"' in text
    assert 'id="scoring-data"' in text and "<script>" not in text  # data via json_script only
    assert bruno.web().post("/settings/scoring/train/").status_code == 403


def test_other_workspace_rules_are_404(ana, carla):
    rule = create_rule(actor=ana.actor, data={k: v for k, v in FORM.items() if k != "is_active"}
                       | {"condition": json.loads(FORM["condition"])})  # fmt: skip
    web = carla.web()
    assert web.get(f"/settings/scoring/rules/{rule.pk}/").status_code == 404
    assert web.post(f"/settings/scoring/rules/{rule.pk}/delete/").status_code == 404
    assert "Decision maker" not in web.get("/settings/scoring/").content.decode()
