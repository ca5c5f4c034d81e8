"""What tests/core/test_api_every_path.py needs to call every operation of the API: the operations
of the served OpenAPI document, the id each path parameter takes in Ana's workspace, a body for
each write, and a snapshot of Ana's workspace to prove a refused request changed nothing in it.

A path parameter without an entry here fails its test with a message naming what to add, so an
operation added to the API is covered the day it is added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from vinculo.api import api
from vinculo.core.tenancy import Membership, User, Workspace
from vinculo.insights.models import Widget

PREFIX = "/api/v1"
SCHEMA: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema()))
PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as the schema writes it: /api/v1/people/{person_id}
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path.removeprefix(PREFIX)}"

    @property
    def path_params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def required_query(self) -> list[str]:
        return [
            p["name"]
            for p in self.spec.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        ]

    @property
    def body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        return content.get("application/json", {}).get("schema")

    @property
    def has_multipart_body(self) -> bool:
        return "multipart/form-data" in self.spec.get("requestBody", {}).get("content", {})


OPERATIONS = [
    Operation(method, path, spec)
    for path, item in SCHEMA["paths"].items()
    for method, spec in item.items()
]

# --- which of Ana's records a path parameter names ------------------------------------------------
# The key in ``World.ids`` for a parameter: by default the parameter's own name; these paths use
# a name for another kind of record than elsewhere (a lifecycle stage and a pipeline stage are
# both ``stage_id``).
PARAM_KEYS: dict[str, dict[str, str]] = {
    "/members/{member_id}": {"member_id": "membership_id"},
    "/lifecycle-stages/{stage_id}": {"stage_id": "lifecycle_stage_id"},
    "/outbox/deliveries/{delivery_id}/retry": {"delivery_id": "outbox_delivery_id"},
    "/quality/duplicates/runs/{run_id}": {"run_id": "dedupe_run_id"},
    "/quality/audits/{run_id}": {"run_id": "audit_run_id"},
    "/tasks/{activity_id}/complete": {"activity_id": "task_id"},
    "/tasks/{activity_id}/reopen": {"activity_id": "done_task_id"},
    "/teams/{team_id}/members/{user_id}": {"user_id": "team_member_user_id"},
    "/people/{person_id}/restore": {"person_id": "deleted_person_id"},
    "/companies/{company_id}/restore": {"company_id": "deleted_company_id"},
    "/deals/{deal_id}/restore": {"deal_id": "deleted_deal_id"},
    "/activities/{activity_id}/restore": {"activity_id": "deleted_activity_id"},
    # Erasing deletes the export and import files that mention the person, and files are not
    # rolled back with the test's transaction: someone the seeded files do not mention.
    "/people/{person_id}/erase": {"person_id": "erasable_person_id"},
}
# Path parameters that do not name a record (nothing of Ana's to refuse Carla): their value.
NOT_IDS: dict[str, dict[str, str]] = {
    "/filters/{object_type}": {"object_type": "person"},
    "/kpis/{key}": {"key": "deals_won"},
}
# Operations whose required query parameters name records: Carla is refused those too.
QUERY_KEYS: dict[str, dict[str, str]] = {
    "/quality/merges/preview": {"survivor_id": "person_id", "loser_id": "twin_id"},
}


class Unmapped(LookupError):
    pass


def path_values(op: Operation) -> dict[str, Any]:
    """The names of ``op``'s path parameters in ``World.ids`` (or their literal value)."""
    short = op.path.removeprefix(PREFIX)
    literal = NOT_IDS.get(short, {})
    keys = PARAM_KEYS.get(short, {})
    return {p: ("literal", literal[p]) if p in literal else keys.get(p, p) for p in op.path_params}


MISSING = 987_654_321  # ids from here on name no record


def missing_ids(ids: dict[str, Any]) -> dict[str, Any]:
    """``ids`` with each id replaced by a different one that no record has."""
    return {key: MISSING + n for n, key in enumerate(ids)}


def url_for(op: Operation, ids: dict[str, Any]) -> str:
    """``op``'s URL with the ``ids`` (Ana's); ``Unmapped`` names what to add when a parameter
    has none."""
    short = op.path.removeprefix(PREFIX)
    url = op.path
    unmapped = []
    for param, key in path_values(op).items():
        if isinstance(key, tuple):
            value = key[1]
        elif key in ids:
            value = ids[key]
        else:
            unmapped.append(param)
            continue
        url = url.replace("{" + param + "}", str(value))
    query = dict(QUERY_KEYS.get(short, {}))
    unmapped_query = [q for q in op.required_query if q not in query]
    if unmapped or unmapped_query:
        raise Unmapped(
            f"{op.label}: no id of Ana's for {unmapped + unmapped_query}. Map the parameter to a "
            "key of World.ids in tests/core/every_path.py (PARAM_KEYS / QUERY_KEYS, or NOT_IDS "
            "when it names no record) and seed the record in test_api_every_path.world."
        )
    if query:
        url += "?" + "&".join(f"{name}={ids[key]}" for name, key in query.items())
    return url


def ids_in(op: Operation, ids: dict[str, Any]) -> list[str]:
    """The ids ``op``'s URL carries, as they are written in it."""
    short = op.path.removeprefix(PREFIX)
    keys = [k for k in path_values(op).values() if not isinstance(k, tuple)]
    keys += list(QUERY_KEYS.get(short, {}).values())
    return [str(ids[k]) for k in keys]


def names_records(op: Operation) -> bool:
    """Whether ``op`` takes the id of a record in its path (or required query)."""
    short = op.path.removeprefix(PREFIX)
    literal = NOT_IDS.get(short, {})
    return any(p not in literal for p in op.path_params) or short in QUERY_KEYS


# --- bodies ------------------------------------------------------------------------------------
# A body that Ana's request is accepted with, so that Carla's 404 is about whose record it is and
# not about the body; ids inside are Ana's too (Carla's request names nothing of her own).
Body = Callable[[dict[str, Any]], Any]
BODIES: dict[str, Body] = {
    "PATCH /dashboards/{dashboard_id}": lambda ids: {"name": "Carla esteve aqui"},
    "PATCH /reviews/{review_id}": lambda ids: {"findings": "Carla esteve aqui"},
    "POST /reviews/{review_id}/decisions": lambda ids: {"text": "Carla esteve aqui"},
    "POST /dashboards/{dashboard_id}/widgets": lambda ids: {"kind": "number", "kpi": "deals_won"},
    "POST /dashboards/{dashboard_id}/widgets/reorder": lambda ids: {
        "widget_ids": list(
            Widget.objects.filter(dashboard_id=ids["dashboard_id"])
            .order_by("-position")
            .values_list("pk", flat=True)
        )
    },
    "PATCH /dashboards/{dashboard_id}/widgets/{widget_id}": lambda ids: {"width": 2},
    "PATCH /members/{member_id}": lambda ids: {"role": "viewer"},
    "PATCH /teams/{team_id}": lambda ids: {"name": "Carla esteve aqui"},
    "POST /teams/{team_id}/members": lambda ids: {"user_id": ids["other_user_id"]},
    "PATCH /views/{view_id}": lambda ids: {"name": "Carla esteve aqui"},
    "PATCH /people/{person_id}": lambda ids: {"first_name": "Carla"},
    "POST /people/{person_id}/consents": lambda ids: {
        "channel": "whatsapp",
        "status": "opted_out",
        "legal_basis": "consent",
        "method": "api",
    },
    "PATCH /companies/{company_id}": lambda ids: {"name": "Carla esteve aqui"},
    "PATCH /lifecycle-stages/{stage_id}": lambda ids: {"name": "Carla esteve aqui"},
    "PATCH /custom-fields/{field_id}": lambda ids: {"label": "Carla esteve aqui"},
    "PATCH /tags/{tag_id}": lambda ids: {"name": "carla-esteve-aqui"},
    "PATCH /pipelines/{pipeline_id}": lambda ids: {"name": "Carla esteve aqui"},
    "POST /pipelines/{pipeline_id}/stages": lambda ids: {"name": "Carla esteve aqui"},
    "PUT /pipelines/{pipeline_id}/stage-order": lambda ids: {
        "stage_ids": list(reversed(ids["stage_ids"]))
    },
    "PATCH /stages/{stage_id}": lambda ids: {"name": "Carla esteve aqui"},
    "PATCH /deals/{deal_id}": lambda ids: {"title": "Carla esteve aqui"},
    "POST /deals/{deal_id}/move": lambda ids: {"stage_id": ids["other_stage_id"]},
    "PATCH /products/{product_id}": lambda ids: {"name": "Carla esteve aqui"},
    "POST /pipelines/{pipeline_id}/lost-reasons": lambda ids: {"label": "Carla esteve aqui"},
    "PATCH /pipelines/{pipeline_id}/lost-reasons/{reason_id}": lambda ids: {
        "label": "Carla esteve aqui"
    },
    "PUT /pipelines/{pipeline_id}/lost-reason-order": lambda ids: {
        "reason_ids": list(reversed(ids["reason_ids"]))
    },
    "PATCH /activities/{activity_id}": lambda ids: {"subject": "Carla esteve aqui"},
    "PUT /quality/imports/{job_id}/mapping": lambda ids: {
        "mapping": {"Nome": "first_name", "E-mail": "email"}
    },
    "POST /quality/imports/{job_id}/dry-run": lambda ids: {"limit": 10},
    "PATCH /quality/import-templates/{template_id}": lambda ids: {"name": "Carla esteve aqui"},
    "POST /quality/duplicates/pairs/{pair_id}/decision": lambda ids: {"status": "not_duplicate"},
    "PATCH /quality/rules/{rule_id}": lambda ids: {"is_active": False},
    "PATCH /events/inbound/endpoints/{endpoint_id}": lambda ids: {"name": "Carla esteve aqui"},
    "POST /events/inbound/endpoints/{endpoint_id}/preview": lambda ids: {
        "payload": {"email": "carla@brasa.test"}
    },
    "PATCH /forms/{form_id}": lambda ids: {"name": "Carla esteve aqui"},
    "PATCH /webhooks/{subscription_id}": lambda ids: {"name": "Carla esteve aqui"},
    "POST /people/{person_id}/erase": lambda ids: {"confirm": str(ids["erasable_person_id"])},
    "PATCH /privacy/requests/{request_id}": lambda ids: {"status": "in_progress"},
}


# Bodies of these operations are read leniently: their schema (no ``extra="forbid"``, every field
# optional) takes any JSON, even a string or a list, as an empty change, because django-ninja
# reads a non-object through attribute access. So a body the OpenAPI document refuses reaches the
# view, and Carla gets 404 for it as for any other: the same answer for Ana's ids as for none.
LENIENT_BODIES = {
    "PATCH /teams/{team_id}",
    "PATCH /pipelines/{pipeline_id}",
    "PATCH /stages/{stage_id}",
    "PATCH /deals/{deal_id}",
    "PATCH /products/{product_id}",
    "PATCH /pipelines/{pipeline_id}/lost-reasons/{reason_id}",
    "PATCH /activities/{activity_id}",
}


def _resolver_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "components": SCHEMA["components"]}


def body_for(op: Operation, ids: dict[str, Any]) -> Any:
    """The JSON body to send with ``op`` (None: it takes none); checked against the schema."""
    schema = op.body_schema
    if schema is None:
        if op.has_multipart_body:
            raise Unmapped(f"{op.label}: takes a file; add how to send it to the test")
        return None
    make = BODIES.get(op.label)
    body = make(ids) if make else {}
    try:
        jsonschema.validate(body, _resolver_schema(schema))
    except jsonschema.ValidationError as error:
        raise Unmapped(
            f"{op.label}: the body {body!r} does not match the operation's schema "
            f"({error.message}); add one Ana's request is accepted with to BODIES in "
            "tests/core/every_path.py"
        ) from error
    return body


# --- Ana's ids inside Carla's requests ---------------------------------------------------------
# Carla names Ana's records in a body or a query string (``@key``: Ana's ``ids[key]``), on her own
# records (``{carla_…}``): it must go as for ids that exist nowhere. Not generated from the schema
# like the path ids above: a list of the links a request can make, to extend with new ones.
NAMED_INSIDE: list[tuple[str, str, Any]] = [
    ("post", "/activities", {"kind": "note", "body": "Visita", "person_id": "@person_id"}),
    ("post", "/activities", {"kind": "note", "body": "Visita", "company_id": "@company_id"}),
    ("post", "/activities", {"kind": "note", "body": "Visita", "deal_id": "@deal_id"}),
    ("patch", "/activities/{carla_activity_id}", {"person_id": "@person_id"}),
    ("post", "/tasks", {"subject": "Ligar", "assignee_id": "@ana_user_id"}),
    ("post", "/deals", {"title": "Venda", "person_id": "@person_id"}),
    ("post", "/deals", {"title": "Venda", "company_id": "@company_id"}),
    ("post", "/deals", {"title": "Venda", "pipeline_id": "@pipeline_id"}),
    ("post", "/deals", {"title": "Venda", "stage_id": "@stage_id"}),
    ("post", "/deals", {"title": "Venda", "owner_id": "@ana_user_id"}),
    ("post", "/deals", {"title": "Venda", "line_items": [{"product_id": "@product_id"}]}),
    ("patch", "/deals/{carla_deal_id}", {"person_id": "@person_id"}),
    ("patch", "/deals/{carla_deal_id}", {"stage_id": "@stage_id"}),
    ("post", "/deals/{carla_deal_id}/move", {"stage_id": "@stage_id"}),
    (
        "post",
        "/deals/{carla_deal_id}/move",
        {"stage_id": "@stage_id", "lost_reason_id": "@reason_id"},
    ),
    ("post", "/people", {"first_name": "Rui", "owner_id": "@ana_user_id"}),
    ("patch", "/people/{carla_person_id}", {"owner_id": "@ana_user_id"}),
    ("post", "/companies", {"name": "Brasa Peças", "owner_id": "@ana_user_id"}),
    ("post", "/teams", {"name": "Oficina", "lead_id": "@ana_user_id"}),
    ("post", "/teams/{carla_team_id}/members", {"user_id": "@ana_user_id"}),
    ("post", "/privacy/requests", {"kind": "access", "person_id": "@person_id"}),
    ("post", "/quality/merges", {"survivor_id": "@person_id", "loser_id": "@twin_id"}),
    ("post", "/quality/merges", {"survivor_id": "{carla_person_id}", "loser_id": "@person_id"}),
    ("get", "/quality/merges/preview?survivor_id={carla_person_id}&loser_id=@person_id", None),
    ("get", "/people?owner_id=@ana_user_id", None),
    ("get", "/people?company_id=@company_id", None),
    ("get", "/deals?person_id=@person_id", None),
    ("get", "/activities?deal_id=@deal_id", None),
    ("get", "/tasks?assignee_id=@ana_user_id", None),
    ("get", "/audit?actor_id=@ana_user_id", None),
]
TOKEN = re.compile(r"@(\w+)|{(carla_\w+)}")


def named_inside(template: Any, ids: dict[str, Any], carla: dict[str, Any]) -> Any:
    """``template`` with ``@key`` as ``ids[key]`` and ``{carla_…}`` as Carla's own ids."""
    if isinstance(template, dict):
        return {k: named_inside(v, ids, carla) for k, v in template.items()}
    if isinstance(template, list):
        return [named_inside(v, ids, carla) for v in template]
    if isinstance(template, str):
        whole = TOKEN.fullmatch(template)
        if whole:
            return ids[whole[1]] if whole[1] else carla[whole[2]]
        return TOKEN.sub(lambda m: str(ids[m[1]] if m[1] else carla[m[2]]), template)
    return template


# --- a snapshot of Ana's workspace ----------------------------------------------------------------


def _scoped_models() -> list[type[Model]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not model.__module__.startswith("vinculo"):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if "workspace" in names:
            found.append(model)
    return found


def _tag_links() -> list[tuple[type[Model], str]]:
    """The automatic many-to-many tables (record ↔ tag) and the side that has the workspace."""
    links = []
    for model in apps.get_models():
        if not model.__module__.startswith("vinculo"):
            continue
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created and field.related_model is not None:
                if field.related_model._meta.app_label == "auth":
                    continue
                links.append((through, f"{model._meta.model_name}__workspace"))
    return links


def snapshot(workspace: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``workspace`` (its records, links and members' accounts), by table."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for model in _scoped_models():
        rows[model._meta.label] = list(
            model._base_manager.filter(workspace=workspace).order_by("pk").values_list()
        )
    for through, path in _tag_links():
        rows[through._meta.label] = list(
            through.objects.filter(**{path: workspace}).order_by("pk").values_list()
        )
    rows["workspaces.Workspace"] = list(Workspace.objects.filter(pk=workspace.pk).values_list())
    members = Membership.objects.filter(workspace=workspace).values("user_id")
    rows["workspaces.User"] = list(User.objects.filter(pk__in=members).order_by("pk").values_list())
    return rows


def changed_tables(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def changes_by(workspace: Workspace, send: Callable[[], Any]) -> tuple[Any, list[str]]:
    """``send()``'s answer and the tables of ``workspace`` it changed. A request that ran no
    INSERT, UPDATE or DELETE changed nothing; else ``workspace`` is compared as it was left and
    as it was before (a savepoint, rolled back: the request's writes are undone)."""
    before = transaction.savepoint()
    with CaptureQueriesContext(connection) as sql:
        answer = send()
    if not any(q["sql"].lstrip().upper().startswith(WRITES) for q in sql.captured_queries):
        transaction.savepoint_commit(before)
        return answer, []
    after = snapshot(workspace)
    transaction.savepoint_rollback(before)
    return answer, changed_tables(snapshot(workspace), after)
