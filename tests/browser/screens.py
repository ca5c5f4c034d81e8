"""Every screen of the product, for the browser tests that must hold on all of them.

:func:`seed` fills a persona's workspace with one of everything a screen can show (people,
companies, deals, activities, tasks, an import, a web form with submissions, an inbound endpoint
with events, a webhook with a delivery, an audit, a duplicate pair, rules, fields, tags, teams),
:func:`screen_paths` turns every named URL of the URL conf into a path with those real ids and
keeps the ones that answer a GET with a full HTML page, and :func:`walk` visits them in a browser,
collecting every failure into one readable list. The ``every_screen`` fixture
(tests/browser/conftest.py) does the first two for Ana::

    def test_something_on_every_screen(page, ana, every_screen):
        failures = walk(page, ana, every_screen, lambda page: [...problems on this page...])
        assert not failures, "\n".join(failures)

A URL whose parameter this module cannot fill is listed in ``broken`` (add the id to
:func:`seed`), so a new screen is covered the day it is added. Django's admin and the JSON API
are not screens; the API documentation is.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import PASSWORD, Persona
from tests.webforms.conftest import post_form
from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, LifecycleStage, Person, Tag
from vinculo.core import events as domain_events
from vinculo.demo.generator import seed_workspace
from vinculo.demo.integrations import seed_integrations
from vinculo.events.models import InboundEndpoint, TrackedEvent
from vinculo.integrations import services as integrations
from vinculo.integrations.models import WebhookDelivery
from vinculo.privacy import services as privacy
from vinculo.quality.models import DedupeRun, DuplicateCandidate
from vinculo.quality.services import audit, duplicates, exports, imports, rules
from vinculo.sales.models import Deal, LostReason, Pipeline, Stage
from vinculo.webforms.models import Submission, WebForm
from vinculo.workspaces import invitations
from vinculo.workspaces import services as workspaces
from vinculo.workspaces.models import Membership

# Screens seen before logging in (the crawler visits them first).
PUBLIC = ["/login/"]
# Namespaces that are not product screens: Django's admin (its own look) and the JSON API.
NOT_SCREENS = ("admin:", "api:")
# ...except the API documentation, which is.
API_DOCS = "api:openapi-view"

IMPORT_CSV = (
    "Nome;Sobrenome;E-mail;Celular;Cidade\n"
    "Joana;Prado;joana.prado@exemplo.com.br;(71) 98206-1917;Salvador\n"
    "Rui;Tavares;email-ruim;123;Recife\n"
).encode("cp1252")


@dataclass
class Seeded:
    """The ids the screens are opened with, by URL parameter name; ``by_url`` overrides a
    parameter for one URL name (``"quality:audit_run"``: ``{"run_id": …}``); ``queries`` adds a
    query string to a URL that needs one (the merge screen's two records)."""

    ids: dict[str, Any] = field(default_factory=dict)
    by_url: dict[str, dict[str, Any]] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)

    def kwargs_for(self, name: str, params: list[str]) -> dict[str, Any]:
        values = {**self.ids, **self.by_url.get(name, {})}
        missing = [p for p in params if p not in values]
        if missing:
            raise LookupError(
                f"tests/browser/screens.py has no value for {missing} of URL {name!r}: seed one"
            )
        return {p: values[p] for p in params}


def seed(persona: Persona) -> Seeded:
    """One of everything in ``persona``'s workspace (a few seconds on SQLite)."""
    actor = persona.actor
    seed_workspace(actor=actor, people=40, deals=12, activities=40, seed=7)
    seed_integrations(actor, people=8, seed=7)
    ws = persona.workspace
    person = Person.objects.for_workspace(ws).filter(deleted_at__isnull=True).order_by("pk").first()
    company = Company.objects.for_workspace(ws).order_by("pk").first()
    deal = Deal.objects.for_workspace(ws).order_by("pk").first()
    assert person and company and deal
    task = activities.create_task(
        actor=actor, data={"subject": "Ligar para confirmar o pedido", "person_id": person.pk}
    )
    # Two records alike enough to be a duplicate pair.
    for _ in range(2):
        contacts.create_person(
            actor=actor,
            data={"first_name": "Ivone", "last_name": "Sampaio", "city": "Natal",
                  "mobile_phone": "(84) 99123-4567"},
        )  # fmt: skip
    duplicates.detect_duplicates(actor=actor, object_type="person")
    run = audit.run_audit(actor=actor)
    rule = rules.create_entry_rule(
        actor=actor, data={"object_type": "person", "field": "state", "kind": "format",
                           "format": "br_state"},
    ).rule  # fmt: skip
    custom = contacts.create_custom_field(
        actor=actor,
        data={"object_type": "person", "key": "plano", "label": "Plano contratado",
              "field_type": "text"},
    )  # fmt: skip
    job = imports.create_import(
        actor=actor, object_type="people", file_name="clientes.csv", content=io.BytesIO(IMPORT_CSV)
    )
    imports.dry_run_import(actor=actor, job_id=job.pk)  # its preview and chart show
    export = exports.create_export_job(
        actor=actor, spec=exports.ExportSpec(object_type="person"), fmt="csv", enqueue=False
    )
    exports.run_export_job(export.pk)
    team = workspaces.create_team(actor=actor, data={"name": "Vendas Nordeste"})
    token = workspaces.create_api_token(actor=actor, name="ERP")
    form = WebForm.objects.for_workspace(ws).get()
    post_form(form, {"first_name": "Joana", "email": "joana@exemplo.com.br"})
    endpoint = InboundEndpoint.objects.for_workspace(ws).get()
    hook = integrations.create_subscription(
        actor=actor,
        data={
            "name": "ERP",
            "url": "https://erp.exemplo.com.br/hooks",
            "event_types": ["person.*"],
        },
    )
    contacts.create_person(actor=actor, data={"first_name": "Otávio", "email": "otavio@ex.com.br"})
    domain_events.dispatch_due()  # the webhook consumer queues a delivery
    pipeline = Pipeline.objects.for_workspace(ws).order_by("pk").first()
    assert pipeline is not None
    membership = Membership.objects.for_workspace(ws).exclude(user=persona.user).first()
    assert membership is not None
    request = privacy.create_request(actor=actor, data={"kind": "access", "person_id": person.pk})
    invited = invitations.invite_member(actor=actor, email="rui@exemplo.com.br", role="sales_rep")
    ids = {
        "person_id": person.pk,
        "company_id": company.pk,
        "deal_id": deal.pk,
        "task_id": task.pk,
        "event_id": TrackedEvent.objects.filter(workspace=ws).order_by("pk").values("pk")[0]["pk"],
        "endpoint_id": endpoint.pk,
        "token": endpoint.token,
        "form_id": form.pk,
        "submission_id": Submission.objects.for_workspace(ws).get().pk,
        "key": form.public_key,
        "job_id": job.pk,
        "run_id": run.pk,
        "rule_id": rule.pk,
        "subscription_id": hook.subscription.pk,
        "delivery_id": WebhookDelivery.objects.filter(subscription=hook.subscription).values("pk")[
            0
        ]["pk"],
        "membership_id": membership.pk,
        "team_id": team.pk,
        "user_id": membership.user_id,
        "token_id": token.token.pk,
        "field_id": custom.pk,
        "pipeline_id": pipeline.pk,
        "stage_id": Stage.objects.for_workspace(ws).filter(pipeline=pipeline).first().pk,
        "tag_id": Tag.objects.for_workspace(ws).order_by("pk").values("pk")[0]["pk"],
        "request_id": request.pk,
        "invitation_id": invited.invitation.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(persona.user.pk)),
        "reason_id": LostReason.objects.for_workspace(ws).order_by("pk").values("pk")[0]["pk"],
        # Only POST views take these (a GET answers 405 before looking the id up).
        "pair_id": 0,
        "merge_id": 0,
        "template_id": 0,
    }
    from_dedupe = DedupeRun.objects.for_workspace(ws).order_by("pk").last()
    pair = DuplicateCandidate.objects.for_workspace(ws).order_by("pk").first()
    assert pair is not None
    return Seeded(
        ids=ids,
        by_url={
            "web:settings:lifecycle_update": {
                "stage_id": LifecycleStage.objects.for_workspace(ws).first().pk
            },
            "quality:duplicates_progress": {"run_id": from_dedupe.pk if from_dedupe else 0},
            "quality:export_download": {"job_id": export.pk},
            "web:invitation": {"token": invited.url.rstrip("/").rsplit("/", 1)[1]},
            "web:password_reset_confirm": {"token": "set-password"},
            "web:pick": {"kind": "person"},  # a fragment (not a screen), but it needs a kind
        },
        queries={
            "quality:duplicates_merge": f"?object_type=person&survivor={pair.left_id}"
            f"&loser={pair.right_id}",
            "web:search": "?find=Ivone",
        },
    )


def _named_urls(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _named_urls(item, inner)
        elif isinstance(item, URLPattern) and item.name:
            yield namespace + item.name, list(item.pattern.regex.groupindex)


@dataclass
class Screens:
    """The GET screens (paths) and, for the record, every other URL with its answer."""

    paths: list[str]
    others: dict[str, int]
    broken: list[str]


def screen_paths(persona: Persona, seeded: Seeded) -> Screens:
    """Every named URL of the URL conf, filled with ``seeded``'s ids, that answers a signed-in
    GET with a full HTML page; ``broken`` lists the ones answering 404 or 5xx (a screen the
    seed cannot open is a gap in the seed or a bug)."""
    client = Client()
    assert client.login(username=persona.user.email, password=PASSWORD)
    paths, others, broken = [], {}, []
    for name, params in _named_urls(get_resolver()):
        if name.startswith(NOT_SCREENS) and name != API_DOCS:
            continue
        try:
            path = reverse(name, kwargs=seeded.kwargs_for(name, params)) + seeded.queries.get(
                name, ""
            )
        except LookupError as missing:
            broken.append(str(missing))
            continue
        if path in PUBLIC:
            continue
        response = client.get(path)
        html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code == 200 and html and b"<html" in response.content[:600].lower():
            paths.append(path)
        elif response.status_code == 404 or response.status_code >= 500:
            broken.append(f"{path} ({name}): {response.status_code}")
        else:
            others[path] = response.status_code
    return Screens(paths=paths, others=others, broken=broken)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


Check = Callable[[Any], list[str]]


def walk(
    page: Any, persona: Persona, paths: list[str], check: Check, *, watch: bool = True
) -> list[str]:
    """Visit ``PUBLIC`` signed out, sign in as ``persona``, visit ``paths``; on every page fail
    on whatever ``check(page)`` returns and, with ``watch``, on a request to another origin, a
    console error or an uncaught exception. One line per failure, prefixed with the path."""
    home = origin(page.base)
    current = {"path": ""}
    failures: list[str] = []

    def on_request(request: Any) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")) or origin(url) == home:
            return
        failures.append(f"{current['path']}: request to another origin: {url}")

    def on_console(message: Any) -> None:
        if message.type == "error":
            failures.append(f"{current['path']}: console error: {message.text}")

    def on_error(error: Any) -> None:
        failures.append(f"{current['path']}: uncaught exception: {error}")

    if watch:
        page.on("request", on_request)
        page.on("console", on_console)
        page.on("pageerror", on_error)

    def visit(path: str) -> None:
        current["path"] = path
        response = page.goto(page.base + path, wait_until="load")
        if response is None or response.status >= 400:
            failures.append(f"{path}: HTTP {response.status if response else '?'}")
        # htmx fragments loaded on "load" (charts, counts) come before the checks; a page that
        # polls (an import's progress) never goes idle
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=3000)
        failures.extend(f"{path}: {problem}" for problem in check(page))

    for path in PUBLIC:
        visit(path)
    page.fill("input[name=username]", persona.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button.primary")
    page.wait_for_url(page.base + "/")
    for path in paths:
        visit(path)
    return failures
