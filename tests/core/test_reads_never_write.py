"""Reads never write: every GET screen and every GET operation of the API runs with its SQL
captured, and an INSERT, UPDATE or DELETE fails the test, naming the URL and the statement.

What a new workspace starts with (lifecycle stages, the default pipeline, the tracking key) is
made when the workspace is made (``vinculo.core.workspace_defaults``), not by the first screen
that needs it. The few writes a read may make are not the read writing data but the machinery
around the request; they are listed in ``ALLOWED`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from tests.browser.screens import API_DOCS, NOT_SCREENS, _named_urls
from tests.conftest import PASSWORD, Persona
from tests.one_of_everything import seed
from vinculo.api import api
from vinculo.contacts import services as contacts
from vinculo.contacts.models import LifecycleStage
from vinculo.core import services as core_services
from vinculo.privacy import services as privacy
from vinculo.quality.models import DedupeRun, DuplicateCandidate
from vinculo.quality.services import import_templates, merge
from vinculo.sales import services as sales
from vinculo.sales.models import Pipeline
from vinculo.webforms.models import TrackingSite

# A write: an INSERT, UPDATE or DELETE, also inside a WITH (SELECT … FOR UPDATE is not one).
WRITE = re.compile(
    r"^\W*(INSERT|UPDATE|DELETE|REPLACE|MERGE|TRUNCATE)\b"
    r"|^\W*WITH\b.*\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Allowed:
    """Statements matching ``sql`` that a GET of a path matching ``path`` may run."""

    why: str
    sql: str
    path: str = ""

    def covers(self, path: str, sql: str) -> bool:
        return bool(re.search(self.path, path) and re.search(self.sql, sql, re.DOTALL))


# The writes a read may make: not the read writing data but what the request itself is (a
# download handing personal data out, a visitor seeing a public form) or the sign-in machinery.
# Django's session is not saved by these reads; sign-in, lockout and rate-limit counters are
# written by POSTs. Keep it short: each entry must be used by the seeded walk.
ALLOWED = [
    Allowed(
        "an API token's last use, written at most once a minute (TOKEN_TOUCH_INTERVAL)",
        r'^UPDATE "workspaces_apitoken" SET "last_used_at"',
        path=r"^/api/",
    ),
    Allowed(
        "a download hands personal data out: it is audited (LGPD) and announced as the action "
        "it is (export.completed), whichever method asked for the file",
        r'^INSERT INTO "core_auditentry".*'
        r"'(export\.downloaded|export\.file_downloaded|person\.data_exported)'"
        r'|^INSERT INTO "core_domainevent".*\'export\.completed\''
        r'|^INSERT INTO "core_eventdelivery"',
        path=r"export|/download$|/people/\d+/data[/.]",
    ),
    Allowed(
        "the access log, when the workspace turns it on, records who opened a person",
        r'^INSERT INTO "privacy_accessrecord"',
    ),
    Allowed(
        "a visitor's view of a public form counts in its conversion rate",
        r'^(UPDATE|INSERT INTO) "webforms_formdailystat"',
        path=r"^/f/[\w-]+$",
    ),
    Allowed(
        "setting up two-factor sign-in makes the pending secret the QR code shows",
        r'^INSERT INTO "otp_totp_totpdevice"',
        path=r"^/account/two-factor/$",
    ),
]


@dataclass
class Walk:
    failures: list[str] = field(default_factory=list)
    used: set[Allowed] = field(default_factory=set)

    def get(self, client: Client, paths: list[str], *, refused: int = 500) -> None:
        """GET each path; a line per write that no ``ALLOWED`` entry covers, and per answer
        at or above ``refused`` (a path not really read)."""
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)  # a streamed export reads as it goes
            for query in captured.captured_queries:
                sql = query["sql"]
                if not WRITE.match(sql):
                    continue
                allowed = next((a for a in ALLOWED if a.covers(path, sql)), None)
                if allowed is None:
                    self.failures.append(f"GET {path} ({response.status_code}) wrote: {sql[:300]}")
                else:
                    self.used.add(allowed)
            if response.status_code >= refused:
                self.failures.append(
                    f"GET {path} answered {response.status_code}: {response.content[:300]!r}"
                )


# --- screens --------------------------------------------------------------------------------


def _screen_paths(seeded: Any) -> list[str]:
    paths = []
    for name, params in _named_urls(get_resolver()):
        if name.startswith(NOT_SCREENS) and name != API_DOCS:
            continue
        paths.append(
            reverse(name, kwargs=seeded.kwargs_for(name, params)) + seeded.queries.get(name, "")
        )
    return paths


# --- the API --------------------------------------------------------------------------------

PREFIX = "/api/v1"


def _api_ids(ana: Persona, seeded: Any) -> dict[str, Any]:
    """The id each path parameter of the API takes in Ana's seeded workspace."""
    ws, actor = ana.workspace, ana.actor
    ids = dict(seeded.ids)
    ids["member_id"] = ids["membership_id"]
    ids["activity_id"] = ids["task_id"]
    ids["export_id"] = seeded.by_url["quality:export_download"]["job_id"]
    ids["object_type"] = "person"
    ids["key"] = "deals_won"
    ids["number"] = ids["from_number"] = ids["plan_version_number"]  # the plan's versions
    ids["view_id"] = core_services.save_view(
        actor=actor, data={"object_type": "person", "name": "Capital"}
    ).pk
    ids["template_id"] = import_templates.create_template(
        actor=actor, data={"name": "Planilha da loja", "object_type": "people"}
    ).pk
    pair = DuplicateCandidate.objects.for_workspace(ws).order_by("pk").first()
    assert pair is not None
    ids["pair_id"] = pair.pk
    ids["survivor_id"], ids["loser_id"] = pair.left_id, pair.right_id
    twins = [
        contacts.create_person(actor=actor, data={"first_name": "Gêmeo", "city": "Natal"})
        for _ in range(2)
    ]
    ids["merge_id"] = merge.merge_people(
        actor=actor, survivor_id=twins[0].pk, loser_id=twins[1].pk
    ).pk
    return ids


# Parameters named alike on two paths for two kinds of record.
RUN_IDS = {"/quality/duplicates/runs/{run_id}": "dedupe_run_id"}


def _api_urls(ana: Persona, seeded: Any) -> list[str]:
    ids = _api_ids(ana, seeded)
    dedupe = DedupeRun.objects.for_workspace(ana.workspace).order_by("pk").last()
    assert dedupe is not None
    ids["dedupe_run_id"] = dedupe.pk
    urls = []
    for path, item in api.get_openapi_schema()["paths"].items():
        if "get" not in item:
            continue
        short = path.removeprefix(PREFIX)
        names = {p: RUN_IDS.get(short, p) for p in re.findall(r"{(\w+)}", path)}
        url = path
        for param, key in names.items():
            assert key in ids, f"no id for {{{param}}} of GET {path}: add one to _api_ids"
            url = url.replace(f"{{{param}}}", str(ids[key]))
        required = [
            p["name"]
            for p in item["get"].get("parameters", [])
            if p["in"] == "query" and p.get("required")
        ]
        if required:
            url += "?" + "&".join(f"{name}={ids[name]}" for name in required)
        urls.append(url)
    return urls


# --- the walks -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_screen_and_no_api_read_writes(ana: Persona, settings):
    """Every screen and every API GET, with one of everything in Ana's workspace."""
    settings.EMAIL_ENABLED = True  # the password reset screens exist
    seeded = seed(ana)
    privacy.update_settings(actor=ana.actor, data={"access_log_enabled": True})
    urls = _api_urls(ana, seeded)
    web = Client()
    assert web.login(username=ana.user.email, password=PASSWORD)
    walk = Walk()
    walk.get(web, _screen_paths(seeded))
    walk.get(ana.client(), urls, refused=400)
    assert not walk.failures, "\n".join(walk.failures)
    unused = [a.why for a in ALLOWED if a not in walk.used]
    assert not unused, f"allowed writes no read makes any more (remove them): {unused}"


def _paths_without_ids() -> tuple[list[str], list[str]]:
    """The screens and the API GETs that name no record: what a new workspace opens first."""
    screens = [
        reverse(name)
        for name, params in _named_urls(get_resolver())
        if not params and not (name.startswith(NOT_SCREENS) and name != API_DOCS)
    ]
    api_paths = [
        path
        for path, item in api.get_openapi_schema()["paths"].items()
        if "get" in item
        and "{" not in path
        and not any(p.get("required") for p in item["get"].get("parameters", []))
    ]
    return screens, api_paths


def _walk_new(persona: Persona) -> Walk:
    """Walk what a workspace with no records shows (a 4xx is fine: "no scan yet" is a 404)."""
    screens, api_paths = _paths_without_ids()
    walk = Walk()
    walk.get(persona.web(), screens)
    walk.get(persona.client(), api_paths)
    return walk


@pytest.mark.django_db
def test_a_new_workspace_has_its_defaults_and_reads_without_writing(carla: Persona):
    """The first look at every screen of a new workspace creates nothing: its lifecycle stages,
    default pipeline and tracking key were made with it."""
    ws = carla.workspace
    assert LifecycleStage.objects.for_workspace(ws).count() == 7
    assert Pipeline.objects.for_workspace(ws).filter(is_default=True).count() == 1
    assert TrackingSite.objects.for_workspace(ws).count() == 1
    walk = _walk_new(carla)
    assert not walk.failures, "\n".join(walk.failures)


@pytest.mark.django_db
def test_a_workspace_without_its_defaults_reads_without_making_them(carla: Persona):
    """A workspace whose defaults are gone (its last pipeline deleted; stages and tracking key
    removed by hand) still shows every screen, and no read makes them again."""
    ws = carla.workspace
    for pipeline in Pipeline.objects.for_workspace(ws):
        sales.delete_pipeline(actor=carla.actor, pipeline_id=pipeline.pk)
    LifecycleStage.objects.for_workspace(ws).delete()
    TrackingSite.objects.for_workspace(ws).delete()
    board = carla.web().get(reverse("sales:board"))
    assert board.status_code == 200
    assert "No pipelines yet" in board.content.decode()
    assert carla.client().get(f"{PREFIX}/tracking").status_code == 404
    walk = _walk_new(carla)
    assert not walk.failures, "\n".join(walk.failures)
    assert not Pipeline.objects.for_workspace(ws).exists()
    assert not LifecycleStage.objects.for_workspace(ws).exists()
    assert not TrackingSite.objects.for_workspace(ws).exists()
