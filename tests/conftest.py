"""Shared personas: workspace A (Ana owner, Bruno sales rep, Vera viewer) and B (Carla owner)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import translation

from tests.migrating import migrate_to_latest
from vinculo.core.actor import Actor, Source
from vinculo.core.tenancy import Role, User, Workspace
from vinculo.workspaces import services
from vinculo.workspaces.selectors import actor_for

PASSWORD = "senha-forte-do-teste-1"


@dataclass
class Persona:
    user: User
    workspace: Workspace
    actor: Actor
    token: str

    def client(self, language: str = "en") -> Client:
        """An API client with this persona's token; messages in ``language``."""
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.token}", HTTP_ACCEPT_LANGUAGE=language)

    def web(self, language: str = "en") -> Client:
        """A browser-like client signed in as this persona, the screens in ``language``."""
        client = Client()
        assert client.login(username=self.user.email, password=PASSWORD)
        self.user.language = language
        self.user.save(update_fields=["language"])
        return client


def persona_for(user: User, workspace: Workspace) -> Persona:
    """``user`` in ``workspace`` with a fresh API token."""
    actor = actor_for(user, workspace, source=Source.API)
    assert actor is not None
    token = services.create_api_token(actor=actor, name=f"{user.email} test").plaintext
    return Persona(user, workspace, actor, token)


@pytest.fixture(autouse=True)
def _language_left_as_found():
    """A request through the test client activates its user's language in this thread and
    nothing deactivates it: put the thread back as the test database's set-up leaves it (Django's
    commands deactivate translations: message ids, in English), so no test reads another's."""
    yield
    translation.deactivate_all()


def make_workspace_a() -> dict[str, Persona]:
    """Workspace A: Ana (owner), Bruno (sales rep) and Vera (viewer), by first name."""
    new = services.create_workspace(
        name="Padaria Aurora", owner_email="ana@aurora.test", owner_password=PASSWORD
    )
    ana = persona_for(new.owner, new.workspace)
    people = {"ana": ana}
    for key, email, role in [
        ("bruno", "bruno@aurora.test", Role.SALES_REP),
        ("vera", "vera@aurora.test", Role.VIEWER),
    ]:
        member = services.add_member(actor=ana.actor, email=email, role=role)
        services.set_user_password(user=member.membership.user, password=PASSWORD)
        people[key] = persona_for(member.membership.user, new.workspace)
    return people


def make_workspace_b() -> Persona:
    """Workspace B: Carla, its owner."""
    new = services.create_workspace(
        name="Oficina Brasa", owner_email="carla@brasa.test", owner_password=PASSWORD
    )
    return persona_for(new.owner, new.workspace)


@pytest.fixture
def ws_a(db) -> dict[str, Persona]:
    return make_workspace_a()


@pytest.fixture
def ana(ws_a) -> Persona:
    return ws_a["ana"]


@pytest.fixture
def bruno(ws_a) -> Persona:
    return ws_a["bruno"]


@pytest.fixture
def vera(ws_a) -> Persona:
    return ws_a["vera"]


@pytest.fixture
def carla(db) -> Persona:
    return make_workspace_b()


def _answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not _answers("127.0.0.1", 6379):
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/15"


@dataclass
class Mailbox:
    """Messages a real local SMTP server (aiosmtpd) received: ``(recipients, message text)``."""

    messages: list[tuple[list[str], str]]

    def last_to(self, address: str) -> str:
        found = [text for rcpt, text in self.messages if address in rcpt]
        assert found, f"no message to {address}; got {self.messages!r}"
        return found[-1]


class _Collect:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        text = message_from_bytes(raw, policy=email_policy.default)
        body = "\n".join(
            part.get_content() for part in text.walk() if part.get_content_type() == "text/plain"
        )
        self.box.messages.append((list(envelope.rcpt_tos), f"{text['Subject']}\n{body}"))
        return "250 OK"


@pytest.fixture
def smtp(settings) -> Mailbox:
    """SMTP set up and pointing at a real local server; yields what it receives."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox([])
    controller = Controller(_Collect(box), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_ENABLED = True
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def latest_afterwards():
    """After a test that moved apps to older migrations: every app back at its latest (the
    next tests need today's schema)."""
    yield
    migrate_to_latest()
