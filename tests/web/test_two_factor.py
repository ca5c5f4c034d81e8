"""Two-factor sign-in: TOTP enrolment with a locally made QR code and backup codes, the code
step after the password, and an owner making it mandatory for the workspace."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=drift):06d}"


def _unthrottle(device: TOTPDevice) -> None:
    """django-otp waits longer after each wrong code: the test moves past the wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def _enrol(persona) -> tuple[TOTPDevice, list[str]]:
    client = persona.web()
    page = client.get("/account/two-factor/").content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    device = TOTPDevice.objects.get(user=persona.user, confirmed=False)
    wrong = client.post(
        "/account/two-factor/", {"code": "000000" if _code(device) != "000000" else "1"}
    )
    assert wrong.status_code == 422
    _unthrottle(device)
    done = client.post("/account/two-factor/", {"code": _code(device)})
    assert done.status_code == 200
    codes = [c.split("</code>")[0] for c in done.content.decode().split("<li><code>")[1:]]
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def _password_step(persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login/", {"username": persona.user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_sign_in_with_a_code_from_the_app(ana):
    device, _codes = _enrol(ana)
    client = _password_step(ana)
    assert client.get("/")["Location"] == "/login/verify/"
    assert client.get("/contacts/people/")["Location"] == "/login/verify/"
    assert client.post("/login/verify/", {"code": "12345"}).status_code == 422
    _unthrottle(device)
    ok = client.post("/login/verify/", {"code": _code(device, drift=1)})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    # API tokens are not sessions: not affected.
    assert ana.client().get("/api/v1/me").status_code == 200


def test_a_backup_code_works_once(ana):
    _device, codes = _enrol(ana)
    first = _password_step(ana)
    assert first.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200
    again = _password_step(ana)
    assert again.post("/login/verify/", {"code": codes[0]}).status_code == 422


def test_an_owner_makes_two_factor_mandatory(ana, bruno):
    assert (
        bruno.web()
        .post("/settings/workspace/two-factor/", {"require_two_factor": "on"})
        .status_code
        == 403
    )
    assert bruno.web().get("/").status_code == 200
    client = ana.web()
    assert "require_two_factor" in client.get("/settings/workspace/").content.decode()
    assert (
        client.post("/settings/workspace/two-factor/", {"require_two_factor": "on"}).status_code
        == 302
    )
    ana.workspace.refresh_from_db()
    assert ana.workspace.require_two_factor
    members_without = bruno.web()
    assert members_without.get("/")["Location"] == "/account/two-factor/"
    page = members_without.get("/account/two-factor/").content.decode()
    assert "requires two-factor sign-in" in page
    device = TOTPDevice.objects.get(user=bruno.user, confirmed=False)
    assert members_without.post("/account/two-factor/", {"code": _code(device)}).status_code == 200
    assert members_without.get("/").status_code == 200
    assert bruno.client().get("/api/v1/me").status_code == 200
