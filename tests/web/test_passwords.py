"""Passwords: change, reset by email, one-time passwords changed at first sign-in and expiring."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from vinculo.core.actor import Source
from vinculo.core.tenancy import User
from vinculo.workspaces import services
from vinculo.workspaces.selectors import actor_for

NEW = "uma-senha-nova-bem-longa-7"


def _one_time_owner(db) -> tuple[User, str]:
    new = services.create_workspace(name="Sorveteria Sol", owner_email="sol@sol.test")
    assert new.one_time_password
    new.owner.language = "en"
    new.owner.save(update_fields=["language"])
    return new.owner, new.one_time_password


def test_a_user_changes_their_password_from_the_account_menu(ana):
    client = ana.web()
    assert 'href="/account/password/"' in client.get("/").content.decode()
    assert client.get("/account/password/").status_code == 200
    wrong = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200 and "incorrectly" in wrong.content.decode()
    done = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # still signed in
    assert Client().login(username=ana.user.email, password=NEW)
    assert not Client().login(username=ana.user.email, password=PASSWORD)


def test_a_one_time_password_must_be_changed_at_first_sign_in(db):
    user, one_time = _one_time_owner(db)
    assert user.must_change_password and user.password_expires_at is not None
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.email, password=one_time)
    for path in ["/", "/contacts/people/", "/settings/members/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/account/password/"
    assert client.get("/api/v1/me").status_code == 403
    page = client.get("/account/password/").content.decode()
    assert "one-time password" in page
    # An API token is not a session: it keeps working.
    actor = actor_for(user, None, source=Source.API)
    token = services.create_api_token(actor=actor, name="CLI").plaintext
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 200
    done = client.post(
        "/account/password/",
        {"old_password": one_time, "new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.password_expires_at is None
    assert client.get("/").status_code == 200


def test_personas_with_a_set_password_are_not_forced_to_change(bruno):
    assert bruno.web().get("/").status_code == 200


def test_a_one_time_password_expires(db):
    user, one_time = _one_time_owner(db)
    User.objects.filter(pk=user.pk).update(password_expires_at=timezone.now() - timedelta(1))
    assert not Client().login(username=user.email, password=one_time)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/login/", {"username": user.email, "password": one_time}
    )
    assert page.status_code == 200 and "one-time password has expired" in page.content.decode()
    wrong = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/login/", {"username": user.email, "password": "not-it"}
    )
    assert "expired" not in wrong.content.decode()


def test_password_reset_by_email(db, smtp):
    user, _one_time = _one_time_owner(db)
    User.objects.filter(pk=user.pk).update(password_expires_at=timezone.now() - timedelta(1))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "/password/reset/" in client.get("/login/").content.decode()
    sent = client.post("/password/reset/", {"email": "Sol@Sol.test"})
    unknown = client.post("/password/reset/", {"email": "nobody@sol.test"})
    assert sent.status_code == unknown.status_code == 302
    assert sent["Location"] == unknown["Location"]
    assert len(smtp.messages) == 1
    link = re.search(r"https?://\S+(/password/reset/\S+/\S+/)", smtp.last_to(user.email)).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"
    user.refresh_from_db()
    assert not user.must_change_password and user.password_expires_at is None
    assert Client().login(username=user.email, password=NEW)
    assert client.get(link).status_code == 200  # used: the page says the link is not valid
    assert "not valid" in client.get(link, follow=True).content.decode()


def test_without_smtp_reset_is_not_offered(db, client):
    assert "/password/reset/" not in client.get("/login/").content.decode()
    response = client.get("/password/reset/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "Ask your administrator" in response.content.decode()
