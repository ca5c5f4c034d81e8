"""Members join by invitation, with their consent; the answer never says who is registered."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.api import problem, send
from tests.conftest import PASSWORD
from vinculo.core.models import AuditEntry
from vinculo.core.tenancy import Invitation, Membership, Role, User

LINK = re.compile(r"https?://[^\s<\"]+/invitations/([\w-]+)/")


def _invite(persona, email: str, role: str = "viewer"):
    return send(persona.client(), "post", "/api/v1/members", {"email": email, "role": role})


def _path(url: str) -> str:
    return "/invitations/" + LINK.search(url).group(1) + "/"


def test_another_workspace_owner_cannot_add_a_registered_user_by_email(ana, carla):
    response = _invite(carla, ana.user.email)
    assert response.status_code == 201, response.content
    body = response.json()
    assert ana.user.full_name not in response.content.decode() or not ana.user.full_name
    assert "user" not in body and "one_time_password" not in body
    assert not Membership.objects.filter(workspace=carla.workspace, user=ana.user).exists()
    assert {a.slug for a in [carla.workspace]} != {
        w["slug"] for w in ana.client().get("/api/v1/me").json()["workspaces"]
    }


def test_the_answer_is_the_same_for_registered_and_unknown_addresses(ana, carla):
    known = _invite(carla, ana.user.email).json()
    unknown = _invite(carla, "nobody@nowhere.test").json()
    assert set(known) == set(unknown)
    for key in known:
        assert type(known[key]) is type(unknown[key]), key
    assert known["emailed"] is unknown["emailed"] is False
    assert known["accept_url"] and unknown["accept_url"]
    assert not User.objects.filter(email="nobody@nowhere.test").exists()


def test_a_registered_user_accepts_while_signed_in(ana, carla):
    link = _invite(carla, ana.user.email, "manager").json()["accept_url"]
    client = ana.web()
    page = client.get(_path(link))
    assert page.status_code == 200 and carla.workspace.name in page.content.decode()
    assert not Membership.objects.filter(workspace=carla.workspace, user=ana.user).exists()
    done = client.post(_path(link))
    assert done.status_code == 302
    membership = Membership.objects.get(workspace=carla.workspace, user=ana.user)
    assert membership.role == Role.MANAGER
    assert client.get("/api/v1/me", HTTP_X_WORKSPACE=carla.workspace.slug).status_code == 200
    assert client.get(_path(link)).status_code == 404  # used once
    assert AuditEntry.objects.filter(workspace=carla.workspace, action="member.added").exists()


def test_someone_else_cannot_see_or_accept_an_invitation(ana, bruno, carla):
    invited = _invite(ana, "dora@aurora.test").json()
    carla_web = carla.web()
    refused = carla_web.get(_path(invited["accept_url"]))
    assert refused.status_code == 403
    assert ana.workspace.name not in refused.content.decode()
    assert carla_web.post(_path(invited["accept_url"])).status_code == 403
    assert not Membership.objects.filter(workspace=ana.workspace, user=carla.user).exists()
    # Nor through the API: another workspace's invitations are not listed nor withdrawn.
    assert carla.client().get("/api/v1/invitations").json()["items"] == []
    problem(send(carla.client(), "delete", f"/api/v1/invitations/{invited['id']}"), 404)
    ids = [i["id"] for i in ana.client().get("/api/v1/invitations").json()["items"]]
    assert ids == [invited["id"]]
    # A sales rep of the same workspace cannot invite.
    problem(_invite(bruno, "eve@aurora.test"), 403)


def test_a_new_user_sets_a_password_through_the_link(ana):
    link = _path(_invite(ana, "Dora@Aurora.test", "sales_rep").json()["accept_url"])
    client = Client()
    page = client.get(link).content.decode()
    assert "Choose your password" in page or "Escolha sua senha" in page
    weak = client.post(link, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 422 and not User.objects.filter(email="dora@aurora.test").exists()
    differ = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD + "x"})
    assert differ.status_code == 422
    done = client.post(
        link, {"full_name": "Dora Lima", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302
    dora = User.objects.get(email="dora@aurora.test")
    assert dora.full_name == "Dora Lima" and not dora.must_change_password
    assert Membership.objects.get(workspace=ana.workspace, user=dora).role == Role.SALES_REP
    assert client.get("/").status_code == 200  # signed in
    assert Client().login(username="dora@aurora.test", password=PASSWORD)
    assert Client().get(link).status_code == 404


def test_the_new_user_form_does_not_take_over_a_registered_address(ana, carla):
    link = _path(_invite(carla, ana.user.email).json()["accept_url"])
    response = Client().post(
        link, {"new_password1": "outra-senha-longa-9", "new_password2": "outra-senha-longa-9"}
    )
    assert response.status_code == 422
    assert Client().login(username=ana.user.email, password=PASSWORD)
    assert not Membership.objects.filter(workspace=carla.workspace, user=ana.user).exists()


def test_expired_and_withdrawn_invitations_do_not_open(ana):
    first = _invite(ana, "dora@aurora.test").json()
    Invitation.objects.filter(pk=first["id"]).update(expires_at=timezone.now() - timedelta(1))
    assert Client().get(_path(first["accept_url"])).status_code == 404
    second = _invite(ana, "eva@aurora.test").json()
    assert send(ana.client(), "delete", f"/api/v1/invitations/{second['id']}").status_code == 204
    assert Client().get(_path(second["accept_url"])).status_code == 404
    # Inviting the same address again replaces the pending invitation.
    third = _invite(ana, "fabi@aurora.test").json()
    fourth = _invite(ana, "fabi@aurora.test").json()
    assert Client().get(_path(third["accept_url"])).status_code == 404
    assert Client().get(_path(fourth["accept_url"])).status_code == 200


def test_members_are_refused_and_only_owners_invite_owners(ana, bruno):
    problem(_invite(ana, bruno.user.email), 409)
    problem(_invite(ana, "x@"), 422)
    problem(_invite(ana, "x@aurora.test", "boss"), 422)


def test_with_smtp_the_link_goes_by_email_not_to_the_owner(ana, carla, smtp):
    response = _invite(carla, ana.user.email, "viewer")
    body = response.json()
    assert body["emailed"] is True and body["accept_url"] is None
    message = smtp.last_to(ana.user.email)
    assert carla.workspace.name in message
    link = _path(message)
    client = ana.web()
    assert client.post(link).status_code == 302
    assert Membership.objects.filter(workspace=carla.workspace, user=ana.user).exists()


def test_the_members_screen_invites_and_withdraws(ana):
    client = ana.web()
    page = client.post(
        "/settings/members/add/", {"email": "Nina@Aurora.test", "role": "manager"}, follow=True
    ).content.decode()
    assert 'data-copy="#invitation-link"' in page
    link = re.search(r'<code id="invitation-link">([^<]+)</code>', page).group(1)
    listing = client.get("/settings/members/").content.decode()
    assert "nina@aurora.test" in listing and link not in listing
    invitation = Invitation.objects.get(email="nina@aurora.test")
    gone = client.post(f"/settings/members/invitations/{invitation.pk}/revoke/")
    assert gone.status_code == 302
    assert Client().get(_path(link)).status_code == 404


def test_the_members_screen_says_when_the_link_was_emailed(ana, smtp):
    page = (
        ana.web()
        .post(
            "/settings/members/add/", {"email": "nina@aurora.test", "role": "viewer"}, follow=True
        )
        .content.decode()
    )
    assert "sent by email" in page and "invitation-link" not in page
    assert "/invitations/" in smtp.last_to("nina@aurora.test")
