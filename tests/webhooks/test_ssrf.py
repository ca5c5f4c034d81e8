"""The outbound guard against SSRF: every non-public address form is refused when a webhook is
saved (API and screen, naming ``url``) and again at delivery, before any connection; the
connection goes to the address that was checked (no DNS rebinding), speaks TLS to the name, and
never follows a redirect. Nothing is allowed by default; ``OUTBOUND_ALLOWED_NETWORKS`` opens
exactly what it lists. Names are resolved by a resolver the test controls."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from tests.webhooks.conftest import Receiver, start_receiver, stop
from tests.webhooks.helpers import drain, run_outbox, subscribe
from vinculo.contacts import services as contacts
from vinculo.core import outbound
from vinculo.integrations.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"
PUBLIC = "93.184.215.14"

NAMES = {
    "hooks.public.test": [PUBLIC],
    "metadata.evil.test": ["169.254.169.254"],
    "intranet.evil.test": ["10.1.2.3"],
    "loop.evil.test": ["127.0.0.1"],
    "mapped.evil.test": ["::ffff:10.0.0.1"],
    # One public answer among private ones is not enough: every address must be public.
    "mixed.evil.test": [PUBLIC, "192.168.0.10"],
    "erp.internal": ["192.168.5.5"],
}


@pytest.fixture
def names(monkeypatch) -> dict[str, list[str]]:
    """The guard's resolver, answering from this table (and refusing anything else)."""
    table = dict(NAMES)

    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(table[host])

    monkeypatch.setattr(outbound, "resolve", resolve)
    return table


def _create(persona, url: str):
    body = {"name": "ERP", "url": url, "event_types": ["person.*"]}
    return persona.client().post(f"{API}/webhooks", body, content_type="application/json")


REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8000/admin/",
    "http://127.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://169.254.10.1/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://198.18.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://[fd00::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost:8000/",
    "https://metadata.evil.test/latest/",
    "http://intranet.evil.test/",
    "http://loop.evil.test:8080/",
    "http://mapped.evil.test/",
    "http://mixed.evil.test/",
    "http://erp.internal/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_every_non_public_address_form_is_refused_naming_the_url(ana, names, url):
    response = _create(ana, url)
    assert response.status_code == 422, (url, response.content)
    [error] = response.json()["errors"]
    assert error["field"] == "url"
    assert error["code"] == "private_address"
    assert "VINCULO_OUTBOUND_ALLOWED_NETWORKS" in error["message"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        f"http://{PUBLIC}/hook",
        "https://hooks.public.test/hook",
        "http://[2606:2800:220:1:248:1893:25c8:1946]/hook",
        # Not resolvable today: accepted (DNS may not be set up yet); every delivery checks.
        "https://not-yet.example.test/hook",
    ],
)
def test_public_addresses_are_accepted(ana, names, url):
    response = _create(ana, url)
    assert response.status_code == 201, response.content


def test_an_update_to_a_private_address_is_refused_too(ana, names):
    created = _create(ana, "https://hooks.public.test/hook").json()
    response = ana.client().patch(
        f"{API}/webhooks/{created['id']}",
        {"url": "http://[::ffff:a9fe:a9fe]/latest"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert ana.client().get(f"{API}/webhooks/{created['id']}").json()["url"] == (
        "https://hooks.public.test/hook"
    )


def test_the_form_says_why_in_the_readers_language(ana, names):
    for language, text in (
        ("en", "is a private, local or reserved address"),
        ("pt-br", "é um endereço privado, local ou reservado"),
    ):
        response = ana.web(language).post(
            reverse("integrations:webhook_new"),
            {"name": "ERP", "url": "http://2130706433/", "event_types": ["person.*"]},
        )
        assert response.status_code == 422
        assert text in response.content.decode(), language


def test_the_allow_list_opens_exactly_what_it_lists(ana, names, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.0.0.0/8", "erp.internal"]
    assert _create(ana, "http://10.200.0.1/hook").status_code == 201
    assert _create(ana, "http://intranet.evil.test/hook").status_code == 201
    assert _create(ana, "http://[::ffff:10.0.0.1]/hook").status_code == 201
    assert _create(ana, "http://erp.internal:8069/hook").status_code == 201
    for url in ("http://192.168.1.1/", "http://169.254.169.254/", "http://localhost/"):
        assert _create(ana, url).status_code == 422, url


def test_a_bad_allow_list_entry_is_a_configuration_error(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match=r"10\.0\.0\.0/33"):
        outbound.allowed_rules()


def _one_delivery(ana, sub) -> WebhookDelivery:
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_outbox()
    drain(sub)
    return WebhookDelivery.objects.get(subscription=sub)


def test_a_refused_target_is_never_connected_to_and_the_log_shows_no_answer(
    ana, receiver, settings
):
    # Saved while a self-hoster allowed loopback; then the allow-list is emptied.
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    item = _one_delivery(ana, sub)
    assert receiver.requests == []
    assert item.status == DeliveryState.PENDING and item.attempts == 1
    attempt = WebhookAttempt.objects.get(delivery=item)
    assert attempt.response_status is None
    assert attempt.response_body == "" and attempt.response_headers == {}
    assert attempt.error.startswith("Refused:") and "not a public address" in attempt.error
    detail = ana.client().get(f"{API}/webhooks/deliveries/{item.pk}").json()
    assert detail["attempt_log"][0]["response_body"] == ""


def test_a_name_that_now_resolves_to_metadata_is_refused_at_delivery(ana, names):
    sub = subscribe(ana, "http://hooks.public.test/hook", ["person.created"]).subscription
    names["hooks.public.test"] = ["169.254.169.254"]
    item = _one_delivery(ana, sub)
    attempt = WebhookAttempt.objects.get(delivery=item)
    assert attempt.error.startswith("Refused:") and attempt.response_status is None


@pytest.fixture
def two_receivers_on_one_port(settings) -> Iterator[tuple[Receiver, Receiver]]:
    """``checked`` on 127.0.0.2 (allowed) and ``internal`` on 127.0.0.1 (not), same port."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    for _ in range(20):
        checked, server_a = start_receiver("127.0.0.2")
        port = server_a.server_address[1]
        try:
            internal, server_b = start_receiver("127.0.0.1", port)
        except OSError:
            stop(server_a)
            continue
        yield checked, internal
        stop(server_a)
        stop(server_b)
        return
    pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")


def test_dns_rebinding_cannot_swap_the_checked_address(
    ana, names, monkeypatch, two_receivers_on_one_port
):
    checked, internal = two_receivers_on_one_port
    port = checked.url.rsplit(":", 1)[1].split("/")[0]
    names["hooks.rebind.test"] = ["127.0.0.2"]
    sub = subscribe(ana, f"http://hooks.rebind.test:{port}/h", ["person.created"]).subscription
    # From now on the resolver answers the allowed address once, then the internal one.
    answers = [["127.0.0.2"]]
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers.pop(0) if answers else ["127.0.0.1"]

    monkeypatch.setattr(outbound, "resolve", rebinding)
    item = _one_delivery(ana, sub)
    assert item.status == DeliveryState.SUCCEEDED
    assert calls == ["hooks.rebind.test"]  # resolved once, for the connection it checked
    assert len(checked.requests) == 1 and internal.requests == []
    assert checked.requests[0].headers["Host"] == f"hooks.rebind.test:{port}"
    # The next connection resolves again, gets the internal address, and is refused.
    contacts.create_person(actor=ana.actor, data={"first_name": "Pedro"})
    run_outbox()
    drain(sub)
    assert internal.requests == []
    last = WebhookAttempt.objects.order_by("-pk").first()
    assert last is not None and last.error.startswith("Refused:")


def test_redirects_are_not_followed(ana, receiver, settings):
    internal, server = start_receiver()
    try:
        receiver.script = [302]
        receiver.answer_headers = {"Location": internal.url}
        sub = subscribe(ana, receiver.url, ["person.created"]).subscription
        item = _one_delivery(ana, sub)
        assert internal.requests == []
        assert item.status == DeliveryState.PENDING and item.last_status_code == 302
    finally:
        stop(server)


# --- TLS to a pinned address -----------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for hooks.tls.test (key file, certificate file)."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = str(folder / "key.pem"), str(folder / "cert.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            "/CN=hooks.tls.test",
            "-addext",
            "subjectAltName=DNS:hooks.tls.test",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


@pytest.fixture
def tls_receiver(certificate, monkeypatch) -> Iterator[tuple[int, list[str], list[str]]]:
    """An HTTPS receiver on 127.0.0.1; yields its port, the SNI names and Host headers seen."""
    key, cert = certificate
    sni: list[str] = []
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hosts.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    remember: Callable[..., None] = lambda _sock, name, _ctx: sni.append(name)  # noqa: E731
    context.sni_callback = remember
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The client trusts this certificate (OpenSSL reads SSL_CERT_FILE for the default CAs).
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    yield server.server_address[1], sni, hosts
    stop(server)


def test_tls_goes_to_the_checked_address_with_the_name_in_sni_and_host(
    ana, names, settings, tls_receiver
):
    port, sni, hosts = tls_receiver
    settings.OUTBOUND_ALLOWED_NETWORKS = ["hooks.tls.test", "wrong.tls.test"]
    names["hooks.tls.test"] = ["127.0.0.1"]
    names["wrong.tls.test"] = ["127.0.0.1"]
    sub = subscribe(ana, f"https://hooks.tls.test:{port}/h", ["person.created"]).subscription
    item = _one_delivery(ana, sub)
    assert item.status == DeliveryState.SUCCEEDED, item.last_error
    assert sni == ["hooks.tls.test"] and hosts == [f"hooks.tls.test:{port}"]

    # The same address under a name the certificate does not carry: refused by TLS.
    other = subscribe(ana, f"https://wrong.tls.test:{port}/h", ["person.created"]).subscription
    contacts.create_person(actor=ana.actor, data={"first_name": "Pedro"})
    run_outbox()
    drain(other)
    failed = WebhookDelivery.objects.get(subscription=other)
    assert failed.status == DeliveryState.PENDING
    assert "CERTIFICATE_VERIFY_FAILED" in failed.last_error
    assert hosts == [f"hooks.tls.test:{port}"]
