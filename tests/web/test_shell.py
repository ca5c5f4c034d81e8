"""Login, the application shell, workspace and language switching, /healthz."""

from __future__ import annotations

from django.test import Client

from tests.conftest import PASSWORD
from vinculo.core.tenancy import Role
from vinculo.workspaces import services


def _signed_in(persona) -> Client:
    client = Client()
    response = client.post(
        "/login/", {"username": persona.user.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    return client


def test_the_shell_needs_a_login(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_wrong_password_says_so_and_keeps_the_email(ana, client):
    response = client.post("/login/", {"username": ana.user.email, "password": "nope"})
    assert response.status_code == 200
    assert "E-mail ou senha incorretos" in response.content.decode()  # pt-BR by default
    assert ana.user.email in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.post("/login/", {"username": ana.user.email, "password": "nope"})
    assert "Wrong email or password" in response.content.decode()


def test_login_opens_the_shell_of_the_users_workspace(ana):
    client = _signed_in(ana)
    page = client.get("/").content.decode()
    assert ana.workspace.name in page
    assert 'lang="en"' in page or 'lang="pt-br"' in page
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_the_shell_follows_the_workspace_language(ana):
    client = _signed_in(ana)
    page = client.get("/").content.decode()
    assert 'lang="pt-br"' in page  # the workspace locale, Brazil first
    assert "Sair" in page


def test_language_switch_is_remembered_on_the_user(ana):
    client = _signed_in(ana)
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    ana.user.refresh_from_db()
    assert ana.user.language == "en"
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Log out" in page
    bad = client.post("/language/", {"language": "klingon", "next": "/"}, follow=True)
    assert "Unsupported language" in bad.content.decode() or "Idioma" in bad.content.decode()
    ana.user.refresh_from_db()
    assert ana.user.language == "en"


def test_workspace_switcher_only_offers_and_accepts_own_workspaces(ana, carla):
    client = _signed_in(ana)
    page = client.get("/").content.decode()
    assert carla.workspace.name not in page
    refused = client.post("/workspace/switch/", {"workspace": carla.workspace.slug}, follow=True)
    assert ana.workspace.name in refused.content.decode()

    services.add_member(actor=carla.actor, email=ana.user.email, role=Role.VIEWER)
    page = client.get("/").content.decode()
    assert carla.workspace.name in page  # now offered in the switcher
    client.post("/workspace/switch/", {"workspace": carla.workspace.slug})
    me = client.get("/api/v1/me").json()
    assert me["workspace"]["slug"] == carla.workspace.slug


def test_open_redirects_are_refused(ana):
    client = _signed_in(ana)
    response = client.post("/language/", {"language": "en", "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_healthz_reports_each_check(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "tasks", "outbox"}


def test_healthz_is_503_when_a_check_fails(db, client):
    from django.utils import timezone

    from vinculo.core.tasks import ping_task

    ping_task.enqueue("stuck")
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timezone.timedelta(hours=2))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"]["ok"] is False
