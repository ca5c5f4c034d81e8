"""Password guessing: accounts and addresses are locked out with backoff, on the web sign-in,
the admin and API tokens; the person is told when to retry; each lockout is audited."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import Client

from tests.conftest import PASSWORD
from vinculo.core.models import AuditEntry
from vinculo.core.tenancy import User

LIMIT = 10


def _login(email: str, password: str, ip: str = "10.0.0.1", path: str = "/login/"):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ip)
    response = client.post(path, {"username": email, "password": password})
    return client, response


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_refused(ana):
    for attempt in range(LIMIT - 1):
        _client, response = _login(ana.user.email, f"wrong-{attempt}")
        assert response.status_code == 200  # the form again, "wrong email or password"
    _client, locked = _login(ana.user.email, "wrong-last")
    assert locked.status_code == 429
    client, right = _login(ana.user.email, PASSWORD, ip="10.9.9.9")  # another address too
    assert right.status_code == 429
    page = right.content.decode()
    assert "Too many failed sign-in attempts" in page and "15 minutes" in page
    assert right["Retry-After"] == str(15 * 60)
    assert client.get("/").status_code == 302  # not signed in
    entries = AuditEntry.objects.filter(workspace=ana.workspace, action="auth.locked_out")
    assert entries.count() == 1 and entries.get().ip_address == "10.0.0.1"


def test_case_variants_of_the_email_count_for_the_same_account(ana):
    for attempt in range(LIMIT):
        _login(
            ana.user.email.upper() if attempt % 2 else ana.user.email, "x", ip=f"10.1.0.{attempt}"
        )
    assert _login(ana.user.email, PASSWORD, ip="10.2.0.1")[1].status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out(ana, bruno):
    for attempt in range(LIMIT):
        _login(f"someone{attempt}@aurora.test", "x", ip="10.3.0.1")
    assert _login(ana.user.email, PASSWORD, ip="10.3.0.1")[1].status_code == 429
    assert _login(ana.user.email, PASSWORD, ip="10.3.0.2")[1].status_code == 302


def test_after_the_cool_off_the_right_password_works_and_lockouts_back_off(ana):
    for _attempt in range(LIMIT):
        _login(ana.user.email, "x")
    assert _login(ana.user.email, PASSWORD)[1].status_code == 429
    # Time travel: the failures happened 16 minutes ago.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=16)
        attempt.save(update_fields=["attempt_time"])
    assert _login(ana.user.email, PASSWORD)[1].status_code == 302
    # A second lockout the same day lasts twice as long.
    for _attempt in range(LIMIT):
        _login(ana.user.email, "x")
    refused = _login(ana.user.email, PASSWORD)[1]
    assert refused.status_code == 429 and refused["Retry-After"] == str(30 * 60)


def test_the_admin_login_is_locked_out_too(db):
    User.objects.create_superuser("root@vinculo.test", PASSWORD)
    for _attempt in range(LIMIT):
        _login("root@vinculo.test", "x", path="/admin/login/")
    client, response = _login("root@vinculo.test", PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_bad_api_tokens_lock_out_the_address(ana):
    for attempt in range(LIMIT):
        bad = Client(HTTP_AUTHORIZATION=f"Bearer vk_nope_{attempt}", REMOTE_ADDR="10.4.0.1")
        assert bad.get("/api/v1/me").status_code == (401 if attempt < LIMIT - 1 else 429)
    again = Client(
        HTTP_AUTHORIZATION="Bearer vk_nope_again", REMOTE_ADDR="10.4.0.1", HTTP_ACCEPT_LANGUAGE="en"
    )
    refused = again.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert "Too many failed sign-in attempts" in refused.json()["detail"]
    # A valid token behind the same address (a shared NAT) keeps working; so does another address.
    same = Client(HTTP_AUTHORIZATION=f"Bearer {ana.token}", REMOTE_ADDR="10.4.0.1")
    assert same.get("/api/v1/me").status_code == 200
    other = Client(HTTP_AUTHORIZATION="Bearer vk_nope_other", REMOTE_ADDR="10.4.0.2")
    assert other.get("/api/v1/me").status_code == 401
