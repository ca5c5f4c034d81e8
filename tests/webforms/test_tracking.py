"""Site tracking: page views from the snippet, CORS for allowed sites only, and anonymous visits
joining the person's timeline once the visitor submits a form."""

from __future__ import annotations

import json

from django.test import Client, override_settings
from django.urls import reverse

from tests.webforms.conftest import post_form
from vinculo.activities.models import TimelineEntry
from vinculo.events.models import TrackedEvent
from vinculo.webforms import tracking

SITE = "https://www.padaria-aurora.com.br"
VISITOR = "b1c2d3e4f5a6b7c8d9e0"


def _site(actor, domains=("padaria-aurora.com.br",)):
    return tracking.update_tracking_site(actor=actor, data={"allowed_domains": list(domains)})


def _view(site, path, *, origin=SITE, visitor=VISITOR, **extra):
    body = {
        "key": site.public_key,
        "visitor_id": visitor,
        "url": f"{SITE}{path}",
        "title": f"Página {path}",
        "referrer": "https://www.google.com/",
        **extra,
    }
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    # sendBeacon posts text/plain: the endpoint reads the JSON whatever the content type
    return Client().post(
        reverse("webforms:collect"), json.dumps(body), content_type="text/plain", **headers
    )


def test_anonymous_page_views_join_the_timeline_when_the_visitor_submits_a_form(ana, lead_form):
    site = _site(ana.actor)
    for path in ("/", "/precos", "/contato"):
        response = _view(site, path)
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == SITE
    views = TrackedEvent.objects.for_workspace(ana.workspace).filter(name="page_viewed")
    assert views.count() == 3
    assert not views.filter(person__isnull=False).exists()
    assert {v.properties["path"] for v in views} == {"/", "/precos", "/contato"}
    assert views.first().source == "tracking"

    response = post_form(
        lead_form, {"first_name": "Joana", "email": "j@ex.com.br", "_vid": VISITOR}
    )
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")  # PRG

    person = lead_form.submissions.get().person
    assert views.filter(person=person).count() == 3
    kinds = list(
        TimelineEntry.objects.filter(person=person).values_list("kind", "summary").order_by("pk")
    )
    viewed = [summary for kind, summary in kinds if kind == "event.page_viewed"]
    # Summaries are stored in the workspace's language (pt-BR here).
    assert sorted(viewed) == ["Visitou /", "Visitou /contato", "Visitou /precos"]
    assert ("event.form_submitted", "Submitted the form Newsletter da padaria") in kinds

    # a later visit of the same browser lands on the person straight away
    _view(site, "/blog")
    assert TrackedEvent.objects.get(properties__path="/blog").person == person


def test_page_views_from_other_sites_are_refused_without_cors_headers(ana):
    site = _site(ana.actor)
    response = _view(site, "/", origin="https://concorrente.com.br")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert _view(site, "/", origin=None).status_code == 403
    # a subdomain of an allowed domain is allowed
    assert _view(site, "/", origin="https://loja.padaria-aurora.com.br").status_code == 204
    assert TrackedEvent.objects.for_workspace(ana.workspace).count() == 1


def test_preflight_answers_cors_only_for_allowed_origins(ana, lead_form):
    site = _site(ana.actor)
    url = reverse("webforms:collect") + f"?k={site.public_key}"
    ok = Client().options(url, HTTP_ORIGIN=SITE)
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SITE
    other = Client().options(url, HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other

    # the form endpoints follow the form's own allowed domains
    token_url = reverse("webforms:token", args=[lead_form.public_key])
    allowed = Client().get(token_url, HTTP_ORIGIN=SITE)
    assert allowed.status_code == 200 and allowed.json()["token"]
    assert allowed["Access-Control-Allow-Origin"] == SITE
    assert "Access-Control-Allow-Origin" not in Client().get(token_url, HTTP_ORIGIN="https://x.io")


def test_form_posts_from_a_site_not_allowed_are_refused(ana, lead_form):
    refused = post_form(
        lead_form, {"first_name": "A", "email": "a@ex.com"}, HTTP_ORIGIN="https://evil.example"
    )
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
    allowed = post_form(
        lead_form,
        {"first_name": "A", "email": "a@ex.com"},
        HTTP_ORIGIN=SITE,
        HTTP_ACCEPT="application/json",
    )
    assert allowed.status_code == 201
    assert allowed["Access-Control-Allow-Origin"] == SITE
    assert allowed.json()["message"] == "Obrigado!"


def test_bad_page_views_are_problems_naming_the_field(ana):
    site = _site(ana.actor)
    response = _view(site, "/", visitor="x")
    assert response.status_code == 422
    assert response["Access-Control-Allow-Origin"] == SITE
    assert response.json()["errors"][0]["field"] == "visitor_id"
    bad_url = _view(site, "/", url="javascript:alert(1)")
    assert bad_url.json()["errors"][0]["field"] == "url"
    assert not TrackedEvent.objects.exists()


def test_the_browser_cannot_identify_a_visitor_by_email(ana):
    """Only form submits identify someone: an email in a page view is ignored."""
    from vinculo.contacts import services as contacts

    joana = contacts.create_person(actor=ana.actor, data={"first_name": "J", "email": "j@ex.com"})
    site = _site(ana.actor)
    _view(site, "/", person={"email": "j@ex.com"}, email="j@ex.com")
    event = TrackedEvent.objects.get()
    assert event.person is None
    assert not TimelineEntry.objects.filter(person=joana, kind="event.page_viewed").exists()


@override_settings(WEBFORMS_RATE_COLLECT="2/60")
def test_page_views_are_rate_limited_per_address(ana):
    site = _site(ana.actor)
    codes = [_view(site, f"/p{i}").status_code for i in range(3)]
    assert codes == [204, 204, 429]


def test_unknown_or_switched_off_keys_are_404(ana):
    site = _site(ana.actor)
    tracking.update_tracking_site(actor=ana.actor, data={"is_active": False})
    assert _view(site, "/").status_code == 404
    response = Client().post(reverse("webforms:collect"), "{}", content_type="text/plain")
    assert response.status_code == 404
