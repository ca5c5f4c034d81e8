"""A form submission and the visitor's earlier page views read on the person's timeline in the
reader's language, not in the language of the visitor's request (issue 14, item 10)."""

from __future__ import annotations

from tests.webforms.conftest import post_form
from tests.webforms.test_tracking import VISITOR, _site, _view


def test_a_submission_and_the_linked_visits_read_in_each_readers_language(ana, lead_form):
    _view(_site(ana.actor), "/precos")
    response = post_form(
        lead_form, {"first_name": "Joana", "email": "j@ex.com.br", "_vid": VISITOR}
    )
    assert response.status_code in (200, 302)  # the thanks page, or a redirect to it
    person = lead_form.submissions.get().person

    lines = {
        "pt-br": ["Enviou o formulário Newsletter da padaria", "Visitou /precos"],
        "en": ["Submitted the form Newsletter da padaria", "Viewed /precos"],
    }
    for language, expected in lines.items():
        page = ana.web(language=language).get(f"/people/{person.pk}/").content.decode()
        api = ana.client(language).get(f"/api/v1/people/{person.pk}/timeline").json()
        summaries = [e["summary"] for e in api["items"]]
        for line in expected:
            assert line in page and line in summaries, (language, line)
