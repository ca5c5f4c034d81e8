"""Names that must be unique (pipelines, their stages, teams, saved views, import templates) are
compared with core.text.fold, not SQL iexact/LOWER (ASCII-only on SQLite) (issue 15.5)."""

from __future__ import annotations

import pytest

from tests.api import fields_of, problem, send

STAGES = [
    {"name": "Contato"},
    {"name": "Ganho", "kind": "won"},
    {"name": "Perdido", "kind": "lost"},
]


@pytest.mark.parametrize(("first", "second"), [("PROMOÇÃO", "promoção"), ("Straße", "STRASSE")])
def test_pipeline_and_team_names_that_fold_alike_are_taken(ana, first, second):
    client = ana.client()
    made = send(client, "post", "/api/v1/pipelines", {"name": first, "stages": STAGES})
    assert made.status_code == 201, made.content
    again = send(client, "post", "/api/v1/pipelines", {"name": second, "stages": STAGES})
    assert fields_of(problem(again, 422)) == {"name"}

    assert send(client, "post", "/api/v1/teams", {"name": first}).status_code == 201
    assert fields_of(problem(send(client, "post", "/api/v1/teams", {"name": second}), 422)) == {
        "name"
    }


def test_stage_names_in_one_pipeline_fold_alike(ana):
    stages = [{"name": "ÓTIMO"}, {"name": "ótimo"}, *STAGES[1:]]
    response = send(ana.client(), "post", "/api/v1/pipelines", {"name": "P", "stages": stages})
    assert fields_of(problem(response, 422)) == {"stages.1.name"}
