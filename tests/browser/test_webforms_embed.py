"""The snippets on a customer's own site, in a real browser: a page served by another origin (a
local http.server) carries the tracking script and the form snippet. Its page views arrive
anonymously through sendBeacon; the form script fetches a token across origins, submits with
fetch, shows the success message in place, and the earlier visits join the person's timeline."""

from __future__ import annotations

import http.server
import threading
from functools import partial

import pytest
from django.template.loader import render_to_string

from vinculo.activities.models import TimelineEntry
from vinculo.contacts.models import Person
from vinculo.events.models import TrackedEvent
from vinculo.webforms import selectors, services, tracking

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer_site(tmp_path):
    """A static site on 127.0.0.1 (another origin than the Vínculo live server)."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _page(title: str, body: str, tracking_snippet: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"{tracking_snippet}</head><body><h1>{title}</h1>{body}</body></html>"
    )


def test_snippets_on_another_site_track_then_identify(page, ana, customer_site):
    folder, site_url = customer_site
    vinculo = page.base
    form = services.create_form(
        actor=ana.actor,
        data={
            "name": "Contato do site",
            "fields": [
                {"key": "first_name", "label": "Nome", "required": True},
                {"key": "email", "label": "E-mail", "required": True},
            ],
            "allowed_domains": ["127.0.0.1"],
            "min_seconds": 0,
            "language": "pt-br",
            "success_message": "Falamos em breve!",
        },
    )
    site = tracking.update_tracking_site(actor=ana.actor, data={"allowed_domains": ["127.0.0.1"]})
    tracking_snippet = render_to_string(
        "webforms/tracking_snippet.txt",
        {"key": site.public_key, "script_url": f"{vinculo}/static/webforms/t.js"},
    )
    form_snippet = render_to_string(
        "webforms/snippet.txt",
        {
            "form": form,
            "fields": selectors.rendered_fields(form, selectors.field_choices(ana.actor)),
            "submit_url": f"{vinculo}/f/{form.public_key}/submit",
            "script_url": f"{vinculo}/static/webforms/form.js",
        },
    )
    (folder / "precos.html").write_text(_page("Preços", "<p>Bolos</p>", tracking_snippet))
    (folder / "contato.html").write_text(_page("Contato", form_snippet, tracking_snippet))

    page.goto(f"{site_url}/precos.html")
    page.wait_for_function("() => !!window.vinculoVisitorId")
    views = TrackedEvent.objects.filter(workspace=ana.workspace, name="page_viewed")
    page.goto(f"{site_url}/contato.html")
    # the form script filled the visitor id and fetched a token across origins
    page.wait_for_function(
        "() => document.querySelector('input[name=_vt]').value.length > 0"
        " && document.querySelector('input[name=_vid]').value.length > 0"
    )
    visitor = page.input_value("input[name=_vid]")
    page.fill("input[name=first_name]", "Clara")
    page.fill("input[name=email]", "clara@exemplo.com.br")
    page.click("form[data-vinculo-form] button[type=submit]")
    page.wait_for_selector("#form-success")
    assert page.text_content("#form-success") == "Falamos em breve!"

    person = Person.objects.get(email="clara@exemplo.com.br")
    # beacons are fire-and-forget: give the two page views a moment to be stored
    for _ in range(50):
        if views.filter(visitor_id=visitor).count() == 2:
            break
        page.wait_for_timeout(200)
    paths = sorted(v.properties["path"] for v in views.filter(visitor_id=visitor))
    assert paths == ["/contato.html", "/precos.html"]
    assert views.filter(person=person).count() == 2
    viewed = TimelineEntry.objects.filter(person=person, kind="event.page_viewed")
    assert viewed.count() == 2
    assert form.submissions.get().visitor_id == visitor
