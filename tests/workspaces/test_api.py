"""The API frame and the workspaces endpoints: auth, permissions, isolation, validation."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.api import problem
from tests.conftest import PASSWORD
from vinculo.core.models import AuditEntry
from vinculo.core.tenancy import ApiToken, Membership, Role, Team, User
from vinculo.workspaces import services


def post(client: Client, url: str, data: object, method: str = "post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


# --- authentication -------------------------------------------------------------------------


def test_me_with_a_token(ana):
    body = ana.client().get("/api/v1/me").json()
    assert body["user"]["email"] == "ana@aurora.test"
    assert body["workspace"]["slug"] == ana.workspace.slug
    assert body["workspace"]["default_currency"] == "BRL"
    assert body["workspace"]["timezone"] == "America/Sao_Paulo"
    assert body["role"] == "owner"
    assert "members.manage" in body["permissions"]


def test_token_use_is_remembered(ana):
    token = ApiToken.objects.get(user=ana.user)
    assert token.last_used_at is None
    ana.client().get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_missing_wrong_revoked_and_expired_tokens_get_401(ana):
    assert problem(Client().get("/api/v1/me"), 401)["status"] == 401
    wrong = ana.token[:-4] + "AAAA"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {wrong}").get("/api/v1/me")
    assert "Bearer" in problem(response, 401)["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    garbage = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/v1/me")
    problem(garbage, 401)

    token = ApiToken.objects.get(user=ana.user)
    services.revoke_api_token(actor=ana.actor, token_id=token.pk)
    problem(ana.client().get("/api/v1/me"), 401)

    new = services.create_api_token(
        actor=ana.actor, name="short", expires_at=timezone.now() + timedelta(minutes=1)
    )
    ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now() - timedelta(1))
    expired = Client(HTTP_AUTHORIZATION=f"Bearer {new.plaintext}").get("/api/v1/me")
    problem(expired, 401)


def test_a_removed_member_token_stops_working(ana, bruno):
    membership = Membership.objects.get(user=bruno.user, workspace=ana.workspace)
    assert bruno.client().get("/api/v1/me").status_code == 200
    response = ana.client().delete(f"/api/v1/members/{membership.pk}")
    assert response.status_code == 204
    problem(bruno.client().get("/api/v1/me"), 401)


def test_session_auth_picks_the_workspace_from_the_header(ana, carla):
    services.add_member(actor=carla.actor, email=ana.user.email, role=Role.VIEWER)
    client = Client()
    assert client.login(username=ana.user.email, password=PASSWORD)
    mine = client.get("/api/v1/me", HTTP_X_WORKSPACE=ana.workspace.slug).json()
    assert mine["role"] == "owner"
    assert {w["slug"] for w in mine["workspaces"]} == {ana.workspace.slug, carla.workspace.slug}
    theirs = client.get("/api/v1/me", HTTP_X_WORKSPACE=str(carla.workspace.pk)).json()
    assert theirs["workspace"]["slug"] == carla.workspace.slug
    assert theirs["role"] == "viewer"


def test_session_cannot_reach_a_workspace_it_is_not_in(ana, carla):
    client = Client()
    client.login(username=ana.user.email, password=PASSWORD)
    problem(client.get("/api/v1/me", HTTP_X_WORKSPACE=carla.workspace.slug), 401)


# --- permissions ----------------------------------------------------------------------------


def test_viewer_writes_get_403_with_a_clear_message(vera):
    client = vera.client()
    assert client.get("/api/v1/members").status_code == 200
    body = problem(post(client, "/api/v1/teams", {"name": "Sneaky"}), 403)
    assert body["detail"] == "Your role (Viewer) cannot create or change teams."
    body = problem(post(client, "/api/v1/workspace", {"name": "Mine"}, "patch"), 403)
    assert "cannot change the workspace settings" in body["detail"]
    assert not Team.objects.filter(name="Sneaky").exists()


def test_api_messages_follow_accept_language_and_default_to_portuguese(vera):
    response = post(vera.client("pt-br"), "/api/v1/teams", {"name": "X"})
    assert problem(response, 403)["detail"] == (
        "Seu papel (Leitor) não permite criar ou alterar equipes."
    )
    bare = Client(HTTP_AUTHORIZATION=f"Bearer {vera.token}")
    assert "Seu papel" in problem(post(bare, "/api/v1/teams", {"name": "X"}), 403)["detail"]


def test_sales_rep_cannot_manage_members(bruno):
    body = problem(post(bruno.client(), "/api/v1/members", {"email": "x@y.test"}), 403)
    assert "Sales rep" in body["detail"]
    assert not User.objects.filter(email="x@y.test").exists()


def test_the_last_owner_cannot_be_demoted_or_removed(ana):
    membership = Membership.objects.get(user=ana.user, workspace=ana.workspace)
    body = problem(
        post(ana.client(), f"/api/v1/members/{membership.pk}", {"role": "admin"}, "patch"), 409
    )
    assert "owner" in body["detail"].lower()
    problem(ana.client().delete(f"/api/v1/members/{membership.pk}"), 409)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_an_admin_cannot_grant_owner(ana, bruno):
    bruno_m = Membership.objects.get(user=bruno.user)
    services.change_member_role(actor=ana.actor, membership_id=bruno_m.pk, role=Role.ADMIN)
    vera_m = Membership.objects.get(user__email="vera@aurora.test")
    response = post(bruno.client(), f"/api/v1/members/{vera_m.pk}", {"role": "owner"}, "patch")
    assert "owner role" in problem(response, 403)["detail"]
    vera_m.refresh_from_db()
    assert vera_m.role == Role.VIEWER


# --- validation -----------------------------------------------------------------------------


def test_bad_input_names_the_field_and_writes_nothing(ana):
    client = ana.client()
    members_before = Membership.objects.count()
    body = problem(post(client, "/api/v1/members", {"email": "not-an-email"}), 422)
    assert body["errors"][0]["field"] == "email"
    body = problem(post(client, "/api/v1/members", {"email": "a@b.test", "role": "king"}), 422)
    assert body["errors"][0]["field"] == "role"
    assert Membership.objects.count() == members_before

    body = problem(post(client, "/api/v1/workspace", {"default_currency": "XYZ"}, "patch"), 422)
    assert body["errors"][0]["field"] == "default_currency"
    body = problem(post(client, "/api/v1/workspace", {"timezone": "Mars/Olympus"}, "patch"), 422)
    assert body["errors"][0]["field"] == "timezone"
    ana.workspace.refresh_from_db()
    assert ana.workspace.default_currency == "BRL"

    body = problem(post(client, "/api/v1/teams", {"name": "   "}), 422)
    assert body["errors"][0]["field"] == "name"
    body = problem(post(client, "/api/v1/tokens", {"name": ""}), 422)
    assert body["errors"][0]["field"] == "name"


def test_adding_a_member_invites_them_and_the_link_sets_their_password(ana):
    response = post(
        ana.client(), "/api/v1/members", {"email": "Dora@Aurora.test", "role": "manager"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "dora@aurora.test" and body["role"] == "manager"
    assert "one_time_password" not in body
    path = body["accept_url"].split("127.0.0.1:8000", 1)[-1]
    Client().post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert Client().login(username="dora@aurora.test", password=PASSWORD)
    again = post(ana.client(), "/api/v1/members", {"email": "dora@aurora.test"})
    problem(again, 409)


def test_token_is_shown_once_and_stored_hashed(bruno):
    response = post(bruno.client(), "/api/v1/tokens", {"name": "Zapier"})
    assert response.status_code == 201, response.content
    plaintext = response.json()["token"]
    assert plaintext.startswith("vk_")
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert plaintext.split("_", 2)[2] not in stored.secret_hash
    listing = bruno.client().get("/api/v1/tokens").json()["items"]
    assert all("token" not in t for t in listing)
    # It works, and its owner can revoke it.
    other = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert other.get("/api/v1/me").status_code == 200
    assert bruno.client().delete(f"/api/v1/tokens/{stored.pk}").json()["revoked_at"]
    assert other.get("/api/v1/me").status_code == 401


def test_a_sales_rep_cannot_revoke_someone_elses_token(ana, bruno):
    ana_token = ApiToken.objects.get(user=ana.user)
    problem(bruno.client().delete(f"/api/v1/tokens/{ana_token.pk}"), 403)
    assert ana.client().get("/api/v1/me").status_code == 200


# --- teams ----------------------------------------------------------------------------------


def test_team_lifecycle(ana, bruno):
    client = ana.client()
    team = post(client, "/api/v1/teams", {"name": "Vendas RJ", "lead_id": bruno.user.pk}).json()
    assert team["lead_id"] == bruno.user.pk
    added = post(client, f"/api/v1/teams/{team['id']}/members", {"user_id": bruno.user.pk})
    assert added.status_code == 201
    assert added.json()["member_ids"] == [bruno.user.pk]
    duplicate = problem(post(client, "/api/v1/teams", {"name": "vendas rj"}), 422)
    assert duplicate["errors"] == [
        {"field": "name", "message": "A team with this name exists.", "code": "unique"}
    ]
    renamed = post(client, f"/api/v1/teams/{team['id']}", {"name": "Vendas Rio"}, "patch")
    assert renamed.json()["name"] == "Vendas Rio"
    assert client.delete(f"/api/v1/teams/{team['id']}/members/{bruno.user.pk}").status_code == 204
    assert client.delete(f"/api/v1/teams/{team['id']}").status_code == 204
    assert not Team.objects.filter(pk=team["id"]).exists()


def test_a_team_lead_must_be_a_member(ana, carla):
    body = problem(
        post(ana.client(), "/api/v1/teams", {"name": "X", "lead_id": carla.user.pk}), 422
    )
    assert body["errors"][0]["field"] == "lead_id"


# --- isolation ------------------------------------------------------------------------------


def test_workspaces_cannot_see_each_others_members_teams_tokens_or_audit(ana, bruno, carla):
    a_team = services.create_team(actor=ana.actor, data={"name": "Só da Aurora"})
    c = carla.client()
    members = c.get("/api/v1/members").json()["items"]
    assert {m["user"]["email"] for m in members} == {"carla@brasa.test"}
    assert c.get("/api/v1/teams").json()["items"] == []
    assert {t["user_id"] for t in c.get("/api/v1/tokens").json()["items"]} == {carla.user.pk}
    audit = c.get("/api/v1/audit").json()["items"]
    assert audit
    assert all(a["object_repr"] != "Só da Aurora" for a in audit)
    assert AuditEntry.objects.filter(workspace=ana.workspace).count() > 0
    audit_ids = set(AuditEntry.objects.filter(workspace=ana.workspace).values_list("pk", flat=True))
    assert not audit_ids & {a["id"] for a in audit}

    bruno_m = Membership.objects.get(user=bruno.user)
    ana_token = ApiToken.objects.get(user=ana.user)
    for method, url, data in [
        ("get", f"/api/v1/members/{bruno_m.pk}", None),
        ("patch", f"/api/v1/members/{bruno_m.pk}", {"role": "viewer"}),
        ("delete", f"/api/v1/members/{bruno_m.pk}", None),
        ("get", f"/api/v1/teams/{a_team.pk}", None),
        ("patch", f"/api/v1/teams/{a_team.pk}", {"name": "Roubado"}),
        ("delete", f"/api/v1/teams/{a_team.pk}", None),
        ("delete", f"/api/v1/tokens/{ana_token.pk}", None),
    ]:
        response = post(c, url, data, method) if data else getattr(c, method)(url)
        assert response.status_code == 404, (method, url, response.content)
    bruno_m.refresh_from_db()
    assert bruno_m.role == Role.SALES_REP
    assert Team.objects.get(pk=a_team.pk).name == "Só da Aurora"
    assert ApiToken.objects.get(pk=ana_token.pk).revoked_at is None
    # Carla cannot add Ana's colleague to her team either.
    c_team = services.create_team(actor=carla.actor, data={"name": "Brasa"})
    response = post(c, f"/api/v1/teams/{c_team.pk}/members", {"user_id": bruno.user.pk})
    assert response.status_code == 422


# --- audit and pagination -------------------------------------------------------------------


def test_audit_says_who_what_and_from_where(ana):
    post(ana.client(), "/api/v1/workspace", {"name": "Padaria Aurora Ltda."}, "patch")
    entry = ana.client().get("/api/v1/audit?action=workspace.updated").json()["items"][0]
    assert entry["actor_label"] == "ana@aurora.test"
    assert entry["source"] == "api"
    assert entry["changes"]["name"] == ["Padaria Aurora", "Padaria Aurora Ltda."]
    assert entry["ip_address"] == "127.0.0.1"


def test_cursor_pagination_walks_every_row_once(ana):
    for i in range(7):
        services.add_member(actor=ana.actor, email=f"p{i}@aurora.test", role=Role.VIEWER)
    seen, cursor = [], ""
    for _ in range(10):
        url = "/api/v1/members?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = ana.client().get(url).json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 10  # ana, bruno, vera and seven more
    assert len(set(seen)) == len(seen)
    bad = problem(ana.client().get("/api/v1/members?cursor=%%%"), 422)
    assert bad["errors"][0]["field"] == "cursor"
    too_many = problem(ana.client().get("/api/v1/members?limit=100000"), 422)
    assert too_many["errors"][0]["field"] == "limit"


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/members" in schema["paths"]
    assert "/api/v1/outbox/deliveries" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI from our static files, nothing from a CDN (a blank page offline)
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
