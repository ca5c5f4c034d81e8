"""Post/redirect/get: a reload after a POST repeats nothing, a one-time secret is shown once,
and no POST-only address answers a GET with Django's blank 405."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from vinculo.core.tenancy import ApiToken, Invitation, Membership


def test_a_reload_after_creating_a_token_creates_no_second_one_and_hides_the_secret(ana):
    client = ana.web()
    before = ApiToken.objects.count()
    created = client.post("/settings/tokens/new/", {"name": "Planilha", "expires_at": ""})
    assert (created.status_code, created["Location"]) == (302, "/settings/tokens/")
    shown = client.get(created["Location"])
    plaintext = re.search(r'<code id="token-plaintext">([^<]+)</code>', shown.content.decode())
    assert plaintext is not None
    assert "no-store" in shown["Cache-Control"]
    reloaded = client.get(created["Location"]).content.decode()  # F5 on the page shown
    assert plaintext.group(1) not in reloaded and 'id="token-plaintext"' not in reloaded
    assert ApiToken.objects.count() == before + 1


def test_a_reload_after_inviting_a_member_shows_the_link_once(ana):
    client = ana.web()
    added = client.post(
        "/settings/members/add/", {"email": "lia@aurora.test", "full_name": "Lia", "role": "viewer"}
    )
    assert (added.status_code, added["Location"]) == (302, "/settings/members/")
    assert 'id="invitation-link"' in client.get("/settings/members/").content.decode()
    assert 'id="invitation-link"' not in client.get("/settings/members/").content.decode()
    # One invitation; the membership waits for the invitee's acceptance.
    assert Invitation.objects.filter(email="lia@aurora.test").count() == 1
    assert not Membership.objects.filter(user__email="lia@aurora.test").exists()


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if not isinstance(entry.pattern, RoutePattern):
            continue  # the API and the admin (regex patterns) answer their own 405s
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def test_no_address_answers_a_get_with_a_blank_405(ana):
    client = ana.web()
    routes = [
        r for r in _routes(get_resolver().url_patterns) if not r.startswith(("api/", "admin/"))
    ]
    assert "quality/imports/<int:job_id>/mapping/" in routes
    blank = []
    for route in routes:
        path = "/" + re.sub(r"<int:[^>]+>", "1", re.sub(r"<(str|slug):[^>]+>", "x", route))
        response = client.get(path)
        if response.status_code == 405 and not response.content.strip():
            blank.append(path)
    assert blank == []
    # The import mapping opened directly goes to its import.
    response = client.get("/quality/imports/7/mapping/")
    assert (response.status_code, response["Location"]) == (302, "/quality/imports/7/")
