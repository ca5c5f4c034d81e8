"""The Settings screens: every form calls one service, shows its errors next to the fields,
hides what the role cannot do and refuses it anyway, and never reaches another workspace."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vinculo.contacts import services as contacts
from vinculo.contacts.models import CustomFieldDefinition, LifecycleStage, Person, Tag
from vinculo.core.tenancy import ApiToken, Membership, Role, Team, TeamMember, User
from vinculo.sales import services as sales
from vinculo.sales.models import Pipeline, Stage
from vinculo.workspaces import services as workspaces


def _membership(persona) -> Membership:
    return Membership.objects.get(workspace=persona.workspace, user=persona.user)


def _field(ana, **data) -> CustomFieldDefinition:
    return contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "label": "Segment", "field_type": "text", **data},
    )


def _tag(ana, name: str = "vip") -> Tag:
    contacts.create_person(actor=ana.actor, data={"first_name": "Tagged", "tags": [name]})
    return Tag.objects.get(workspace=ana.workspace, name=name)


# --- every screen -----------------------------------------------------------------------------


def test_every_settings_screen_renders_for_an_owner(ana, bruno):
    field = _field(ana)
    _tag(ana, "vip")
    workspaces.create_team(actor=ana.actor, data={"name": "Vendas SP"})
    pipeline = sales.ensure_default_pipeline(actor=ana.actor)
    client = ana.web()
    home = client.get("/").content.decode()
    assert 'href="/settings/"' in home
    expected = {
        "/settings/": ["Members and roles", "API tokens", "Lifecycle stages", "Pipelines"],
        "/settings/workspace/": ["Padaria Aurora", "America/Sao_Paulo", "BRL"],
        "/settings/members/": [bruno.user.email, "Invite a member"],
        "/settings/teams/": ["Vendas SP", "New team"],
        "/settings/tokens/": ["New token", "vk_"],
        "/settings/fields/": ["Segment", "New field"],
        f"/settings/fields/{field.pk}/": ["Segment", "Archived"],
        "/settings/lifecycle/": ["MQL", "Save order", "data-sortable"],
        "/settings/pipelines/": [pipeline.name, "New pipeline"],
        f"/settings/pipelines/{pipeline.pk}/": ["Negociação", "Save order", "Add a stage"],
        "/settings/tags/": ["vip", 'type="color"'],
    }
    for url, texts in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for text in texts:
            assert text in page, (url, text)
    assert "sortable.js" in client.get("/settings/lifecycle/").content.decode()


def test_settings_pages_speak_portuguese_by_default(ana):
    page = ana.web(language="").get("/settings/").content.decode()
    assert 'lang="pt-br"' in page


# --- workspace --------------------------------------------------------------------------------


def test_workspace_form_shows_each_error_next_to_its_field_and_keeps_the_input(ana):
    client = ana.web()
    response = client.post(
        "/settings/workspace/",
        {"name": "  ", "default_currency": "XYZ", "locale": "en", "timezone": "Mars/Base"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The name cannot be empty." in page
    assert "Unknown currency" in page and 'value="XYZ"' in page
    assert "Unknown time zone" in page and 'value="Mars/Base"' in page
    ana.workspace.refresh_from_db()
    assert ana.workspace.default_currency == "BRL" and ana.workspace.locale == "pt-br"

    ok = client.post(
        "/settings/workspace/",
        {"name": "Padaria Aurora Ltda", "default_currency": "usd", "locale": "en",
         "timezone": "America/Manaus"},
    )  # fmt: skip
    assert ok.status_code == 302
    ana.workspace.refresh_from_db()
    assert (ana.workspace.name, ana.workspace.default_currency, ana.workspace.timezone) == (
        "Padaria Aurora Ltda",
        "USD",
        "America/Manaus",
    )


# --- members ----------------------------------------------------------------------------------


def test_inviting_a_member_shows_the_link_once_and_it_works(ana):
    client = ana.web()
    response = client.post(
        "/settings/members/add/",
        {"email": "Nina@Aurora.test", "full_name": "Nina Reis", "role": "manager"},
        follow=True,
    )
    assert response.redirect_chain == [("/settings/members/", 302)]
    page = response.content.decode()
    link = re.search(r'<code id="invitation-link">([^<]+)</code>', page).group(1)
    assert "shown only now" in page and 'data-copy="#invitation-link"' in page
    path = link.split("127.0.0.1:8000", 1)[-1]
    password = "senha-da-nina-2026"
    Client().post(path, {"new_password1": password, "new_password2": password})
    assert Membership.objects.get(workspace=ana.workspace, user__email="nina@aurora.test").role == (
        Role.MANAGER
    )
    assert User.objects.get(email="nina@aurora.test").full_name == "Nina Reis"
    assert Client().login(username="nina@aurora.test", password=password)
    assert link not in client.get("/settings/members/").content.decode()


def test_member_form_errors_stay_next_to_the_fields(ana, bruno):
    client = ana.web()
    bad = client.post("/settings/members/add/", {"email": "nina@", "role": "viewer"})
    assert bad.status_code == 422
    assert "Enter a valid email address." in bad.content.decode()
    assert 'value="nina@"' in bad.content.decode()
    taken = client.post("/settings/members/add/", {"email": bruno.user.email, "role": "viewer"})
    assert taken.status_code == 422 and "Already a member." in taken.content.decode()
    wrong_role = client.post("/settings/members/add/", {"email": "z@aurora.test", "role": "boss"})
    assert wrong_role.status_code == 422 and "Unknown role" in wrong_role.content.decode()
    assert not User.objects.filter(email__in=["nina@", "z@aurora.test"]).exists()


def test_role_change_saves_through_htmx_and_the_last_owner_is_refused(ana, bruno):
    client = ana.web()
    row = client.post(
        f"/settings/members/{_membership(bruno).pk}/role/",
        {"role": "manager"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200
    html = row.content.decode()
    assert "<html" not in html and f'id="member-{_membership(bruno).pk}"' in html
    assert "Saved." in html
    assert _membership(bruno).role == Role.MANAGER

    refused = client.post(
        f"/settings/members/{_membership(ana).pk}/role/", {"role": "admin"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 422
    assert "at least one owner" in refused.content.decode()
    assert _membership(ana).role == Role.OWNER

    # Without JavaScript: back to the list with the service's message.
    page = client.post(
        f"/settings/members/{_membership(ana).pk}/role/", {"role": "viewer"}, follow=True
    ).content.decode()
    assert "at least one owner" in page


def test_removing_members_and_the_last_owner_message(ana, bruno):
    client = ana.web()
    page = client.post(
        f"/settings/members/{_membership(ana).pk}/remove/", follow=True
    ).content.decode()
    assert "The last owner cannot be removed." in page
    assert Membership.objects.filter(pk=_membership(ana).pk).exists()
    bruno_membership = _membership(bruno)
    page = client.post(f"/settings/members/{bruno_membership.pk}/remove/", follow=True)
    assert "Member removed" in page.content.decode()
    assert not Membership.objects.filter(pk=bruno_membership.pk).exists()
    assert not ApiToken.objects.filter(user=bruno.user, revoked_at__isnull=True).exists()


# --- teams ------------------------------------------------------------------------------------


def test_teams_create_rename_lead_members_and_delete(ana, bruno, vera):
    client = ana.web()
    bad = client.post("/settings/teams/new/", {"name": " ", "description": "Time de SP"})
    assert bad.status_code == 422
    assert "The name cannot be empty." in bad.content.decode()
    assert 'value="Time de SP"' in bad.content.decode()
    assert not Team.objects.exists()

    assert client.post("/settings/teams/new/", {"name": "Vendas SP"}).status_code == 302
    other = workspaces.create_team(actor=ana.actor, data={"name": "Suporte"})
    team = Team.objects.get(name="Vendas SP")
    taken = client.post(f"/settings/teams/{team.pk}/", {"name": "suporte", "lead_id": ""})
    assert taken.status_code == 422
    assert "A team with this name exists." in taken.content.decode()
    assert 'value="suporte"' in taken.content.decode()
    assert (
        client.post(
            f"/settings/teams/{team.pk}/", {"name": "Vendas São Paulo", "lead_id": bruno.user.pk}
        ).status_code
        == 302
    )
    team.refresh_from_db()
    assert (team.name, team.lead_id) == ("Vendas São Paulo", bruno.user.pk)

    assert (
        client.post(f"/settings/teams/{team.pk}/members/", {"user_id": vera.user.pk}).status_code
        == 302
    )
    again = client.post(f"/settings/teams/{team.pk}/members/", {"user_id": vera.user.pk})
    assert again.status_code == 422 and "Already on this team." in again.content.decode()
    assert TeamMember.objects.filter(team=team, user=vera.user).count() == 1
    client.post(f"/settings/teams/{team.pk}/members/{vera.user.pk}/remove/")
    assert not TeamMember.objects.filter(team=team).exists()
    client.post(f"/settings/teams/{team.pk}/delete/")
    assert list(Team.objects.all()) == [other]


# --- API tokens -------------------------------------------------------------------------------


def test_token_plaintext_is_shown_once_and_works_until_revoked(ana):
    client = ana.web()
    response = client.post(
        "/settings/tokens/new/", {"name": "Painel BI", "expires_at": ""}, follow=True
    )
    assert response.redirect_chain == [("/settings/tokens/", 302)]
    page = response.content.decode()
    plaintext = re.search(r'<code id="token-plaintext">([^<]+)</code>', page).group(1)
    assert 'data-copy="#token-plaintext"' in page
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/me").status_code == 200
    listing = client.get("/settings/tokens/").content.decode()
    token = ApiToken.objects.get(name="Painel BI")
    row = re.search(rf'<tr id="token-{token.pk}">.*?</tr>', listing, re.S).group(0)
    assert plaintext not in listing and "Painel BI" in row
    assert token.last_used_at is not None and "Never" not in row  # the last use is shown
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/me").status_code == 401


def test_token_form_errors_and_who_sees_which_tokens(ana, bruno):
    client = ana.web()
    no_name = client.post("/settings/tokens/new/", {"name": "", "expires_at": "2999-01-01"})
    assert no_name.status_code == 422 and "Give the token a name." in no_name.content.decode()
    assert 'value="2999-01-01"' in no_name.content.decode()
    past = client.post("/settings/tokens/new/", {"name": "Velho", "expires_at": "2001-01-01"})
    assert past.status_code == 422 and "must be in the future" in past.content.decode()
    garbled = client.post("/settings/tokens/new/", {"name": "X", "expires_at": "amanhã"})
    assert garbled.status_code == 422 and "Enter a date" in garbled.content.decode()
    assert not ApiToken.objects.filter(name__in=["Velho", "X", ""]).exists()

    everyone = client.get("/settings/tokens/").content.decode()
    assert bruno.user.email in everyone  # the owner sees every token
    own = bruno.web().get("/settings/tokens/").content.decode()
    assert ana.user.email not in own and f"{bruno.user.email} test" in own


# --- custom fields ----------------------------------------------------------------------------


def test_custom_field_form_errors_keep_the_input(ana):
    client = ana.web()
    bad = client.post(
        "/settings/fields/new/",
        {"object_type": "company", "label": "", "field_type": "choice", "choices": "",
         "help_text": "Porte da empresa"},
    )  # fmt: skip
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Give at least one choice." in page and 'value="Porte da empresa"' in page
    assert "This field is required." in page  # the label
    repeated = client.post(
        "/settings/fields/new/",
        {"object_type": "person", "label": "Porte", "field_type": "choice", "choices": "P\nP"},
    )
    assert repeated.status_code == 422 and "Line 2: Repeated choice." in repeated.content.decode()
    assert "P\nP</textarea>" in repeated.content.decode()
    assert not CustomFieldDefinition.objects.exists()


def test_custom_field_edit_reports_stored_values_that_no_longer_fit(ana):
    client = ana.web()
    created = client.post(
        "/settings/fields/new/",
        {"object_type": "person", "label": "Porte", "field_type": "choice",
         "choices": "small | Pequeno\nlarge | Grande", "required": "on"},
    )  # fmt: skip
    assert created["Location"] == "/settings/fields/?object=person"
    field = CustomFieldDefinition.objects.get()
    assert field.choices == [
        {"value": "small", "label": "Pequeno"},
        {"value": "large", "label": "Grande"},
    ]
    assert field.required
    for size in ["small", "large", "large"]:
        contacts.create_person(
            actor=ana.actor, data={"first_name": "P", "custom_fields": {"porte": size}}
        )
    edit_page = client.get(f"/settings/fields/{field.pk}/").content.decode()
    assert "small | Pequeno\nlarge | Grande</textarea>" in edit_page

    empty = client.post(f"/settings/fields/{field.pk}/", {"label": "", "choices": "small"})
    assert empty.status_code == 422 and 'value=""' in empty.content.decode()
    page = client.post(
        f"/settings/fields/{field.pk}/",
        {"label": "Porte da conta", "choices": "small | Pequeno", "archived": "on"},
        follow=True,
    ).content.decode()
    assert "2 stored values no longer fit this field" in page
    field.refresh_from_db()
    assert field.label == "Porte da conta" and field.archived_at is not None
    assert not field.required
    assert Person.objects.filter(custom_fields__porte="large").count() == 2  # kept as they were


# --- lifecycle stages -------------------------------------------------------------------------


def test_lifecycle_stage_edit_add_and_reorder(ana):
    client = ana.web()
    client.get("/settings/lifecycle/")
    stages = list(LifecycleStage.objects.filter(workspace=ana.workspace).order_by("position"))
    mql = next(s for s in stages if s.key == "mql")
    bad = client.post(
        f"/settings/lifecycle/{mql.pk}/",
        {"name": "", "description": "Baixou o e-book", "phase": "nowhere"},
    )
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Baixou o e-book</textarea>" in page
    assert "This field is required." in page and "is not one of: awareness" in page
    mql.refresh_from_db()
    assert mql.name == "MQL" and mql.is_active

    ok = client.post(
        f"/settings/lifecycle/{mql.pk}/",
        {"name": "Lead qualificado", "description": "Baixou dois materiais", "phase": "decision"},
    )
    assert ok.status_code == 302
    mql.refresh_from_db()
    assert (mql.name, mql.phase, mql.is_active) == ("Lead qualificado", "decision", False)

    taken = client.post("/settings/lifecycle/new/", {"name": "Lead", "phase": "awareness"})
    assert taken.status_code == 422 and "A stage with this key exists." in taken.content.decode()
    assert (
        client.post(
            "/settings/lifecycle/new/", {"name": "Evangelista", "phase": "advocacy"}
        ).status_code
        == 302
    )

    # Drag and drop posts the ids in the new order.
    ids = [s.pk for s in LifecycleStage.objects.filter(workspace=ana.workspace)]
    reversed_ids = list(reversed(ids))
    dragged = client.post("/settings/lifecycle/order/", {"ids": reversed_ids}, HTTP_X_SORTABLE="1")
    assert dragged.status_code == 204
    assert [s.pk for s in LifecycleStage.objects.filter(workspace=ana.workspace)] == reversed_ids
    # Without JavaScript: the position inputs.
    positions = {f"position_{pk}": str(i + 1) for i, pk in enumerate(ids)}
    assert client.post("/settings/lifecycle/order/", positions).status_code == 302
    assert [s.pk for s in LifecycleStage.objects.filter(workspace=ana.workspace)] == ids


# --- pipelines --------------------------------------------------------------------------------


def test_pipeline_and_stage_forms(ana):
    client = ana.web()
    empty = client.post("/settings/pipelines/new/", {"name": ""})
    assert empty.status_code == 422 and "This field is required" in empty.content.decode()
    created = client.post("/settings/pipelines/new/", {"name": "Revenda"})
    pipeline = Pipeline.objects.get(name="Revenda")
    assert created["Location"] == f"/settings/pipelines/{pipeline.pk}/"
    other = sales.create_pipeline(actor=ana.actor, data={"name": "Varejo"})
    taken = client.post(f"/settings/pipelines/{pipeline.pk}/", {"name": "varejo"})
    assert taken.status_code == 422
    assert "A pipeline with this name exists." in taken.content.decode()
    assert 'value="varejo"' in taken.content.decode()
    client.post(f"/settings/pipelines/{other.pk}/", {"is_default": "1"})
    other.refresh_from_db()
    assert other.is_default

    bad = client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/new/",
        {"name": "Demonstração", "kind": "open", "probability": "150", "rotting_days": "x"},
    )
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Enter a number from 0 to 100." in page and 'value="150"' in page
    assert "Enter a whole number." in page
    assert not Stage.objects.filter(name="Demonstração").exists()
    assert (
        client.post(
            f"/settings/pipelines/{pipeline.pk}/stages/new/",
            {"name": "Demonstração", "kind": "open", "probability": "30", "rotting_days": "7"},
        ).status_code
        == 302
    )
    demo = Stage.objects.get(pipeline=pipeline, name="Demonstração")
    assert (demo.probability, demo.rotting_days) == (30, 7)

    update = client.post(
        f"/settings/stages/{demo.pk}/",
        {"name": "Demo", "kind": "open", "probability": "35", "rotting_days": ""},
    )
    assert update.status_code == 302
    demo.refresh_from_db()
    assert (demo.name, demo.probability, demo.rotting_days) == ("Demo", 35, None)

    ids = list(
        Stage.objects.filter(pipeline=pipeline).order_by("position").values_list("pk", flat=True)
    )
    new_order = [ids[-1], *ids[:-1]]
    assert (
        client.post(
            f"/settings/pipelines/{pipeline.pk}/order/", {"ids": new_order}, HTTP_X_SORTABLE="1"
        ).status_code
        == 204
    )
    assert (
        list(
            Stage.objects.filter(pipeline=pipeline)
            .order_by("position")
            .values_list("pk", flat=True)
        )
        == new_order
    )
    partial = client.post(
        f"/settings/pipelines/{pipeline.pk}/order/", {"ids": new_order[:2]}, HTTP_X_SORTABLE="1"
    )
    assert partial.status_code == 422 and "exactly once" in partial.content.decode()

    won = Stage.objects.get(pipeline=pipeline, kind="won")
    page = client.post(f"/settings/stages/{won.pk}/delete/", follow=True).content.decode()
    assert "at least one open, one won and one lost stage" in page
    assert Stage.objects.filter(pk=won.pk).exists()
    client.post(f"/settings/stages/{demo.pk}/delete/")
    assert not Stage.objects.filter(pk=demo.pk).exists()


# --- tags -------------------------------------------------------------------------------------


def test_tags_rename_recolour_and_delete(ana):
    vip = _tag(ana, "vip")
    _tag(ana, "atacado")
    client = ana.web()
    taken = client.post(f"/settings/tags/{vip.pk}/", {"name": "Atacado", "color": "#1e88e5"})
    assert taken.status_code == 422
    assert "A tag with this name exists." in taken.content.decode()
    assert 'value="Atacado"' in taken.content.decode()
    bad_colour = client.post(f"/settings/tags/{vip.pk}/", {"name": "vip", "color": "blue"})
    assert bad_colour.status_code == 422 and "Use a colour like" in bad_colour.content.decode()
    assert (
        client.post(
            f"/settings/tags/{vip.pk}/", {"name": "VIP Ouro", "color": "#d4af37"}
        ).status_code
        == 302
    )
    vip.refresh_from_db()
    assert (vip.name, vip.color) == ("VIP Ouro", "#d4af37")
    client.post(f"/settings/tags/{vip.pk}/delete/")
    assert not Tag.objects.filter(pk=vip.pk).exists()


# --- roles ------------------------------------------------------------------------------------


def test_a_sales_rep_sees_read_only_settings_and_is_refused_on_post(ana, bruno, vera):
    field = _field(ana)
    team = workspaces.create_team(actor=ana.actor, data={"name": "Vendas SP"})
    pipeline = sales.ensure_default_pipeline(actor=ana.actor)
    stage = pipeline.stages.first()
    lifecycle = contacts.ensure_lifecycle_stages(actor=ana.actor)[0]
    client = bruno.web()
    members = client.get("/settings/members/").content.decode()
    assert "Invite a member" not in members and "/remove/" not in members
    assert "Read only" in client.get("/settings/workspace/").content.decode()
    assert "New field" not in client.get("/settings/fields/").content.decode()
    assert "Save order" not in client.get("/settings/lifecycle/").content.decode()
    assert "Add a stage" not in client.get(f"/settings/pipelines/{pipeline.pk}/").content.decode()
    assert "New team" not in client.get("/settings/teams/").content.decode()

    refused = [
        ("/settings/workspace/", {"name": "Hack", "default_currency": "USD", "locale": "en",
                                  "timezone": "UTC"}),
        ("/settings/members/add/", {"email": "x@x.test", "role": "admin"}),
        (f"/settings/members/{_membership(vera).pk}/role/", {"role": "admin"}),
        (f"/settings/members/{_membership(vera).pk}/remove/", {}),
        ("/settings/teams/new/", {"name": "Minha"}),
        (f"/settings/teams/{team.pk}/delete/", {}),
        ("/settings/fields/new/", {"object_type": "person", "label": "X", "field_type": "text"}),
        (f"/settings/fields/{field.pk}/", {"label": "Outro"}),
        (f"/settings/lifecycle/{lifecycle.pk}/", {"name": "Outro", "phase": "growth"}),
        ("/settings/lifecycle/order/", {"ids": [lifecycle.pk]}),
        ("/settings/pipelines/new/", {"name": "Meu"}),
        (f"/settings/stages/{stage.pk}/", {"name": "Outro", "kind": stage.kind}),
        (f"/settings/stages/{stage.pk}/delete/", {}),
        (f"/settings/pipelines/{pipeline.pk}/order/", {"ids": [stage.pk]}),
    ]  # fmt: skip
    for url, data in refused:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Sales rep" in response.content.decode(), url
    ana.workspace.refresh_from_db()
    assert ana.workspace.name == "Padaria Aurora"
    assert _membership(vera).role == Role.VIEWER
    assert Team.objects.filter(pk=team.pk).exists() and Team.objects.count() == 1
    field.refresh_from_db()
    assert field.label == "Segment" and CustomFieldDefinition.objects.count() == 1
    assert Pipeline.objects.count() == 1 and Stage.objects.filter(pk=stage.pk).exists()
    assert not User.objects.filter(email="x@x.test").exists()


def test_a_viewer_cannot_touch_tags_but_may_hold_a_token(ana, vera):
    vip = _tag(ana, "vip")
    client = vera.web()
    page = client.get("/settings/tags/").content.decode()
    assert "vip" in page and 'type="color"' not in page and "/delete/" not in page
    assert (
        client.post(f"/settings/tags/{vip.pk}/", {"name": "x", "color": "#000000"}).status_code
        == 403
    )
    assert client.post(f"/settings/tags/{vip.pk}/delete/").status_code == 403
    vip.refresh_from_db()
    assert vip.name == "vip"
    assert client.post("/settings/tokens/new/", {"name": "BI"}).status_code == 302
    assert ApiToken.objects.filter(user=vera.user, name="BI").exists()


# --- other workspaces -------------------------------------------------------------------------


@pytest.fixture
def anas_things(ana, bruno):
    team = workspaces.create_team(actor=ana.actor, data={"name": "Vendas SP"})
    pipeline = sales.ensure_default_pipeline(actor=ana.actor)
    return {
        "membership": _membership(bruno),
        "team": team,
        "token": ApiToken.objects.filter(user=ana.user).first(),
        "field": _field(ana),
        "lifecycle": contacts.ensure_lifecycle_stages(actor=ana.actor)[0],
        "pipeline": pipeline,
        "stage": pipeline.stages.first(),
        "tag": _tag(ana),
    }


def test_carla_cannot_change_anything_of_workspace_a_by_posting_ids(carla, anas_things, bruno):
    t = anas_things
    client = carla.web()
    attempts = [
        ("get", f"/settings/fields/{t['field'].pk}/", {}),
        ("get", f"/settings/pipelines/{t['pipeline'].pk}/", {}),
        ("post", f"/settings/members/{t['membership'].pk}/role/", {"role": "viewer"}),
        ("post", f"/settings/members/{t['membership'].pk}/remove/", {}),
        ("post", f"/settings/teams/{t['team'].pk}/", {"name": "Meu time"}),
        ("post", f"/settings/teams/{t['team'].pk}/delete/", {}),
        ("post", f"/settings/teams/{t['team'].pk}/members/", {"user_id": carla.user.pk}),
        ("post", f"/settings/teams/{t['team'].pk}/members/{bruno.user.pk}/remove/", {}),
        ("post", f"/settings/tokens/{t['token'].pk}/revoke/", {}),
        ("post", f"/settings/fields/{t['field'].pk}/", {"label": "Meu"}),
        ("post", f"/settings/lifecycle/{t['lifecycle'].pk}/", {"name": "Meu", "phase": "growth"}),
        ("post", "/settings/lifecycle/order/", {"ids": [t["lifecycle"].pk]}),
        ("post", f"/settings/pipelines/{t['pipeline'].pk}/", {"name": "Meu"}),
        ("post", f"/settings/pipelines/{t['pipeline'].pk}/stages/new/", {"name": "Meu"}),
        ("post", f"/settings/pipelines/{t['pipeline'].pk}/order/", {"ids": [t["stage"].pk]}),
        ("post", f"/settings/stages/{t['stage'].pk}/", {"name": "Meu", "kind": "open"}),
        ("post", f"/settings/stages/{t['stage'].pk}/delete/", {}),
        ("post", f"/settings/tags/{t['tag'].pk}/", {"name": "meu", "color": "#000000"}),
        ("post", f"/settings/tags/{t['tag'].pk}/delete/", {}),
    ]
    for method, url, data in attempts:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url

    # Ana's member in Carla's team: refused on the field, nothing written.
    own = workspaces.create_team(actor=carla.actor, data={"name": "Oficina"})
    response = client.post(f"/settings/teams/{own.pk}/members/", {"user_id": bruno.user.pk})
    assert response.status_code == 422
    assert "Only members of this workspace can join its teams." in response.content.decode()
    assert not TeamMember.objects.filter(team=own).exists()

    t["membership"].refresh_from_db()
    assert t["membership"].role == Role.SALES_REP
    t["team"].refresh_from_db()
    assert t["team"].name == "Vendas SP" and TeamMember.objects.filter(team=t["team"]).count() == 0
    t["token"].refresh_from_db()
    assert t["token"].revoked_at is None
    t["field"].refresh_from_db()
    assert t["field"].label == "Segment"
    t["lifecycle"].refresh_from_db()
    assert t["lifecycle"].name == "Assinante"
    t["pipeline"].refresh_from_db()
    assert t["pipeline"].name != "Meu" and t["pipeline"].stages.count() == 6
    assert Tag.objects.filter(pk=t["tag"].pk, name="vip").exists()
    # Carla's own pages list nothing of Ana's.
    for url in ["/settings/members/", "/settings/teams/", "/settings/tokens/", "/settings/tags/"]:
        page = client.get(url).content.decode()
        assert bruno.user.email not in page and "Vendas SP" not in page and ">vip<" not in page
