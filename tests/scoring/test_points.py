# ruff: noqa: RUF001, RUF003  (the reasons say "3×" with a multiplication sign)
"""Rule points against hand-computed fixtures: field rules through the filter language, behaviour
rules with a window, a half-life and a cap, negative points; the reasons worded in English and
in Portuguese; binned people and another workspace's events left out; the stored scores filter
people in the filter language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.filters import apply_filter
from vinculo.events.services import ingest_events
from vinculo.scoring.models import LeadScore
from vinculo.scoring.points import rule_points
from vinculo.scoring.selectors import worded
from vinculo.scoring.services.recompute import recompute_scores
from vinculo.scoring.services.rules import create_rule

NOW = datetime(2026, 7, 31, 12, 0, tzinfo=UTC)


def _visit(actor, person, days_ago, url="https://loja.exemplo/precos", name="page_viewed"):
    row = {
        "name": name,
        "person": {"id": person.pk},
        "occurred_at": (NOW - timedelta(days=days_ago)).isoformat(),
        "properties": {"url": url},
    }
    result = ingest_events(actor=actor, rows=[row])
    assert [r.status for r in result.rows] == ["created"], result.rows


def _pricing_rule(actor, **extra):
    data = {
        "name": "Pricing page",
        "kind": "behaviour",
        "points": 10,
        "event_name": "page_viewed",
        "property_key": "url",
        "property_contains": "PREÇOS",
    } | extra
    return create_rule(actor=actor, data=data)


@pytest.fixture
def joana(ana):
    return contacts.create_person(
        actor=ana.actor, data={"first_name": "Joana", "job_title": "Diretora de compras"}
    )


def test_decay_halves_each_half_life(ana, joana):
    # Visits 0, 7 and 14 days before NOW to a URL containing "precos" (the rule's "PREÇOS"
    # folded matches "preços", not "precos": so the URLs say "preços").
    for days in (0, 7, 14):
        _visit(ana.actor, joana, days, url="https://loja.exemplo/preços?plano=1")
    _visit(ana.actor, joana, 1, url="https://loja.exemplo/blog")  # another page: no points
    _pricing_rule(ana.actor, half_life_days=7)
    got = rule_points(ana.actor, now=NOW)[joana.pk]
    # 10 * 0.5^(0/7) + 10 * 0.5^(7/7) + 10 * 0.5^(14/7) = 10 + 5 + 2.5 = 17.5 → 18 (half up)
    assert got.score == 18
    assert got.reasons[0]["count"] == 3


def test_window_and_cap(ana, joana):
    for days in (0, 7, 14):
        _visit(ana.actor, joana, days, url="https://loja.exemplo/preços")
    _pricing_rule(ana.actor, half_life_days=7, window_days=10)
    # Only 0 and 7 days old fall in the last 10 days: 10 + 5 = 15
    assert rule_points(ana.actor, now=NOW)[joana.pk].score == 15
    _pricing_rule(ana.actor, name="Capped", cap=12)
    # Two rules now: 15, and the capped one with no decay nor window: 3 × 10 = 30 → cap 12.
    # 15 + 12 = 27
    assert rule_points(ana.actor, now=NOW)[joana.pk].score == 27


def test_field_rules_and_negative_points(ana, joana):
    other = contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "job_title": ""})
    create_rule(
        actor=ana.actor,
        data={
            "name": "Decision maker",
            "kind": "field",
            "points": 20,
            "condition": {"field": "job_title", "op": "contains", "value": "diretor"},
        },
    )
    create_rule(
        actor=ana.actor,
        data={
            "name": "No job title",
            "kind": "field",
            "points": -5,
            "condition": {"field": "job_title", "op": "is_empty"},
        },
    )
    scores = rule_points(ana.actor, now=NOW)
    assert scores[joana.pk].score == 20  # "Diretora" contains "diretor"
    assert scores[other.pk].score == -5
    with translation.override("en"):
        assert [r["text"] for r in worded(scores[other.pk].reasons)] == ["-5: No job title"]


def test_reasons_in_both_languages(ana, joana):
    for days in (0, 2, 4):
        _visit(ana.actor, joana, days, url="https://loja.exemplo/pricing")
    # 3 visits within the week, 6 points each without decay: 18
    _pricing_rule(ana.actor, points=6, property_contains="pricing", window_days=7)
    reasons = rule_points(ana.actor, now=NOW)[joana.pk].reasons
    with translation.override("en"):
        assert worded(reasons)[0]["text"] == "+18: visited pages with “pricing” 3× this week"
    with translation.override("pt-br"):
        assert worded(reasons)[0]["text"] == "+18: visitou páginas com “pricing” 3× nesta semana"


def test_binned_people_and_other_workspaces_are_left_out(ana, carla, joana):
    binned = contacts.create_person(actor=ana.actor, data={"first_name": "Lixo"})
    _visit(ana.actor, binned, 0, url="https://loja.exemplo/preços")
    contacts.delete_person(actor=ana.actor, person_id=binned.pk)
    stranger = contacts.create_person(actor=carla.actor, data={"first_name": "Carlos"})
    _visit(carla.actor, stranger, 0, url="https://loja.exemplo/preços")
    _visit(ana.actor, joana, 0, url="https://loja.exemplo/preços")
    _pricing_rule(ana.actor)
    assert {pk: s.score for pk, s in rule_points(ana.actor, now=NOW).items()} == {joana.pk: 10}


def test_recompute_stores_scores_the_filter_language_reads(ana, carla, joana):
    rui = contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})
    for days in (0, 1):
        _visit(ana.actor, joana, days, url="https://loja.exemplo/preços")
    _visit(ana.actor, rui, 0, url="https://loja.exemplo/preços")
    _pricing_rule(ana.actor)
    assert recompute_scores(ana.actor, now=NOW) == 2  # Joana 20, Rui 10
    assert recompute_scores(carla.actor, now=NOW) == 0
    assert LeadScore.objects.for_workspace(ana.workspace).get(person=joana).rule_score == 20
    people = Person.objects.all()
    high = apply_filter(
        people, "person", {"field": "lead_score", "op": "gte", "value": 15}, actor=ana.actor
    )
    assert list(high) == [joana]
    unscored = apply_filter(people, "person", {"field": "lead_score", "op": "is_empty"},
                            actor=ana.actor)  # fmt: skip
    assert joana not in unscored and rui not in unscored
    no_model = apply_filter(
        people, "person", {"field": "lead_probability", "op": "is_not_empty"}, actor=ana.actor
    )
    assert list(no_model) == []  # no model in use: no probability
