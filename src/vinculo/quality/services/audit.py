"""The data-quality audit of a workspace: completeness, validity, staleness, duplicates and
ownership of people and companies, summed up in one score (docs/audit.md).

Counts that the filter language can express (an empty field, a stale record, a record without
owner) are computed THROUGH the filter language, with the very tree the report links to, so the
linked list shows exactly the counted records. Invalid values, non-conforming custom values and
duplicates cannot be expressed as a filter; their record ids are kept in the findings (at most
:data:`MAX_IDS` per finding) so the report offers them as an export instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts.custom_fields import clean_value
from vinculo.contacts.models import Company, Person
from vinculo.contacts.selectors import custom_fields
from vinculo.core import audit, events, jobs, validators
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters import apply_filter
from vinculo.core.permissions import require
from vinculo.core.tenancy import Workspace
from vinculo.quality.models import AuditRun, AuditStatus, AuditTrigger
from vinculo.quality.selectors import duplicates as duplicate_selectors
from vinculo.sales.models import Deal
from vinculo.workspaces.selectors import actor_for

logger = logging.getLogger(__name__)

MAX_IDS = 10_000
INLINE_LIMIT = 5_000  # live people + companies audited in the request; more go to a task
# The job that computes a queued run (bound by vinculo.quality.tasks.audit).
RUN_JOB = "quality.audit.run"
DAYS_PER_MONTH = 30
OBJECTS = ("person", "company", "deal")
BATCH = 900

# Weights of the score (docs/audit.md); they add up to 1.
WEIGHTS = {
    "completeness": 0.30,
    "validity": 0.25,
    "freshness": 0.15,
    "uniqueness": 0.15,
    "ownership": 0.15,
}

# The fields whose completeness the audit measures (custom fields are added per workspace).
COMPLETENESS_FIELDS: dict[str, tuple[str, ...]] = {
    "person": (
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile_phone",
        "cpf",
        "job_title",
        "birth_date",
        "company",
        "owner",
        "lifecycle_stage",
        "tags",
        "source",
        "city",
        "state",
    ),
    "company": (
        "name",
        "legal_name",
        "cnpj",
        "domain",
        "website",
        "industry",
        "employees",
        "email",
        "phone",
        "owner",
        "lifecycle_stage",
        "tags",
        "source",
        "city",
        "state",
    ),
    "deal": ("expected_close_date", "owner", "tags", "source", "description"),
}

# Standard values checked against today's validators: field → validator name.
VALIDATED: dict[str, tuple[tuple[str, str], ...]] = {
    "person": (("email", "email"), ("phone", "phone"), ("mobile_phone", "phone"), ("cpf", "cpf")),
    "company": (("email", "email"), ("phone", "phone"), ("cnpj", "cnpj")),
    "deal": (),
}

# Keys that make two records probably the same: name → columns holding that kind of value.
DUPLICATE_KEYS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "person": (("email", ("email",)), ("phone", ("phone", "mobile_phone")), ("cpf", ("cpf",))),
    "company": (("email", ("email",)), ("phone", ("phone",)), ("cnpj", ("cnpj",))),
    "deal": (),
}


# --- trees and links ----------------------------------------------------------------------------


def empty_tree(field: str) -> dict[str, Any]:
    return {"all": [{"field": field, "op": "is_empty"}]}


def stale_tree(months: int, object_type: str = "person") -> dict[str, Any]:
    """People and companies older than ``months`` with no activity logged in that time; open
    deals that have not moved stage in that time."""
    days = months * DAYS_PER_MONTH
    if object_type == "deal":
        return {
            "all": [
                {"field": "status", "op": "eq", "value": "open"},
                {"field": "stage_entered_at", "op": "more_than_days_ago", "value": days},
            ]
        }
    return {
        "all": [
            {"field": "created_at", "op": "more_than_days_ago", "value": days},
            {
                "any": [
                    {"field": "last_activity_at", "op": "is_empty"},
                    {"field": "last_activity_at", "op": "more_than_days_ago", "value": days},
                ]
            },
        ]
    }


def list_link(object_type: str, tree: dict[str, Any]) -> str:
    """The list screen showing the records of ``tree``."""
    name = {"person": "contacts:people", "company": "contacts:companies"}.get(
        object_type, "sales:list"
    )
    text = json.dumps(tree, ensure_ascii=False, separators=(",", ":"))
    return f"{reverse(name)}?{urlencode({'filter': text})}"


def export_link(run_id: int, object_type: str, key: str) -> str:
    """The export of a finding's offending records (for what no filter can express)."""
    query = urlencode({"audit": run_id, "finding": f"{object_type}:{key}", "format": "csv"})
    return f"{reverse('quality:export_new')}?{query}"


# --- the measurements ---------------------------------------------------------------------------


def _live(actor: Actor, object_type: str) -> QuerySet:
    model = {"person": Person, "company": Company, "deal": Deal}[object_type]
    return model.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True)


def _filtered(actor: Actor, object_type: str, tree: dict[str, Any]) -> QuerySet:
    return apply_filter(_live(actor, object_type), object_type, tree, actor=actor)


def _custom_definitions(actor: Actor, object_type: str) -> list[Any]:
    return list(custom_fields(actor, object_type=object_type))


def completeness(actor: Actor, object_type: str, total: int) -> list[dict[str, Any]]:
    """Per field (standard, then live custom fields): how many live records have a value.
    No label is stored: the report names the field in its reader's language (audit_text)."""
    fields = list(COMPLETENESS_FIELDS[object_type])
    fields += [f"custom_fields.{d.key}" for d in _custom_definitions(actor, object_type)]
    rows = []
    for name in fields:
        tree = empty_tree(name)
        empty = _filtered(actor, object_type, tree).count()
        filled = total - empty
        rows.append(
            {
                "field": name,
                "custom": name.startswith("custom_fields."),
                "filled": filled,
                "empty": empty,
                "share": round(filled / total, 4) if total else 1.0,
                "filter": tree,
                "link": list_link(object_type, tree),
            }
        )
    return rows


def _check(kind: str, value: str, field: str, region: str) -> None:
    if kind == "email":
        validators.clean_email(value, field)
    elif kind == "phone":
        validators.clean_phone(value, field, region=region)
    elif kind == "cpf":
        validators.clean_cpf(value, field)
    elif kind == "cnpj":
        validators.clean_cnpj(value, field)


def invalid_values(actor: Actor, object_type: str) -> dict[str, list[int]]:
    """Ids of live records per standard field whose value today's validators refuse."""
    region = getattr(actor.workspace, "country", "") or "BR"
    found: dict[str, list[int]] = {}
    for field, kind in VALIDATED[object_type]:
        bad: list[int] = []
        rows = _live(actor, object_type).exclude(**{field: ""}).values_list("pk", field)
        for pk, value in rows.iterator(chunk_size=2000):
            try:
                _check(kind, value, field, region)
            except ValidationFailed:
                bad.append(pk)
        found[field] = bad
    return found


def nonconforming_values(actor: Actor, object_type: str) -> dict[str, list[int]]:
    """Ids of live records per custom field whose stored value its definition refuses today
    (like :func:`vinculo.contacts.services.count_nonconforming`, but over live records only
    and keeping the ids)."""
    region = getattr(actor.workspace, "country", "") or "BR"
    found: dict[str, list[int]] = {}
    for definition in _custom_definitions(actor, object_type):
        bad: list[int] = []
        rows = (
            _live(actor, object_type)
            .filter(custom_fields__has_key=definition.key)
            .values_list("pk", "custom_fields")
        )
        for pk, values in rows.iterator(chunk_size=2000):
            try:
                clean_value(definition, (values or {}).get(definition.key), region=region)
            except ValidationFailed:
                bad.append(pk)
        found[f"custom_fields.{definition.key}"] = bad
    return found


def _shared_values(qs: QuerySet, columns: tuple[str, ...], normalise: bool) -> set[str]:
    """Values of the kind held in ``columns`` that two or more records share, by SQL grouping
    (an email compared case-insensitively)."""
    values: set[str] = set()
    for column in columns:
        expr = Lower(column) if normalise else F(column)
        grouped = (
            qs.exclude(**{column: ""})
            .annotate(key=expr)
            .values("key")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("key", flat=True)
        )
        values.update(grouped.iterator(chunk_size=2000))
    if len(columns) == 2:
        # The same number as a phone and as a mobile phone (``IN`` a sub-query: SQL sets, no
        # correlated scan). A record whose phone equals its own mobile also lands here; the
        # caller keeps only values held by two or more records.
        first, second = columns
        crossed = (
            qs.exclude(**{first: ""})
            .filter(**{f"{first}__in": qs.exclude(**{second: ""}).values(second)})
            .values_list(first, flat=True)
        )
        values.update(crossed.iterator(chunk_size=2000))
    return values


def duplicates(actor: Actor, object_type: str) -> dict[str, Any]:
    """Records sharing a normalised email, an E.164 phone or a CPF/CNPJ: per key the records
    involved, and the estimate of surplus records (records involved minus the groups they form,
    i.e. how many would go if each group were merged into one)."""
    qs = _live(actor, object_type)
    per_key: dict[str, list[int]] = {}
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key, columns in DUPLICATE_KEYS[object_type]:
        shared = sorted(_shared_values(qs, columns, normalise=key == "email"))
        holders: dict[str, set[int]] = {}
        for start in range(0, len(shared), BATCH):
            batch = shared[start : start + BATCH]
            for column in columns:
                expr = Lower(column) if key == "email" else F(column)
                rows = qs.annotate(key=expr).filter(key__in=batch).values_list("pk", "key")
                for pk, value in rows.iterator(chunk_size=2000):
                    holders.setdefault(value, set()).add(pk)
        ids: set[int] = set()
        for group in holders.values():
            if len(group) < 2:
                continue
            ids.update(group)
            # Union the records holding the same value into one cluster.
            root, *others = sorted(group)
            for pk in others:
                parent[find(pk)] = find(root)
            find(root)
        per_key[key] = sorted(ids)
    involved = set(parent)
    clusters = {find(x) for x in involved}
    return {
        "per_key": per_key,
        "involved": sorted(involved),
        "surplus": len(involved) - len(clusters),
    }


def _cap(ids: Iterable[int]) -> list[int]:
    return sorted(ids)[:MAX_IDS]


def audit_object(actor: Actor, run: AuditRun, object_type: str) -> dict[str, Any]:
    """Every measurement of one object type and its score (docs/audit.md)."""
    total = _live(actor, object_type).count()
    fields = completeness(actor, object_type, total)
    invalid = invalid_values(actor, object_type)
    nonconforming = nonconforming_values(actor, object_type)
    stale = stale_tree(run.stale_months, object_type)
    stale_count = _filtered(actor, object_type, stale).count()
    owner = empty_tree("owner")
    unowned = _filtered(actor, object_type, owner).count()
    dupes = duplicates(actor, object_type)

    findings: list[dict[str, Any]] = []
    ids: dict[str, list[int]] = {}

    # Findings are stored as codes and figures; selectors.audit_text words them when read.
    def by_export(kind: str, key: str, bad: Any) -> None:
        # Findings the filter language cannot express link to an export of the records.
        ids[key] = _cap(bad)
        link = export_link(run.pk, object_type, key) if bad else None
        findings.append(
            {"key": key, "kind": kind, "count": len(bad), "link": link,
             "link_kind": "export"}
        )  # fmt: skip

    def by_list(kind: str, count: int, tree: Any) -> None:
        findings.append(
            {"key": kind, "kind": kind, "count": count, "filter": tree,
             "link": list_link(object_type, tree), "link_kind": "list"}
        )  # fmt: skip

    for field, bad in invalid.items():
        by_export("invalid", f"invalid.{field}", bad)
    for field, bad in nonconforming.items():
        by_export("nonconforming", f"nonconforming.{field}", bad)
    by_list("stale", stale_count, stale)
    by_list("no_owner", unowned, owner)
    for key, involved in dupes["per_key"].items():
        by_export("duplicates", f"duplicates.{key}", involved)

    bad_records = set().union(*invalid.values(), *nonconforming.values())
    parts = {
        "completeness": (
            sum(f["share"] for f in fields) / len(fields) if fields and total else 1.0
        ),
        "validity": 1 - len(bad_records) / total if total else 1.0,
        "freshness": 1 - stale_count / total if total else 1.0,
        "uniqueness": 1 - dupes["surplus"] / total if total else 1.0,
        "ownership": 1 - unowned / total if total else 1.0,
    }
    score = round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()))
    return {
        "total": total,
        "score": score,
        "parts": {k: round(v, 4) for k, v in parts.items()},
        "completeness": fields,
        "findings": findings,
        "invalid_records": len(bad_records),
        "duplicate_surplus": dupes["surplus"],
        "ids": ids,
    }


def _open_pairs(actor: Actor) -> int | None:
    return int(duplicate_selectors.open_pair_count(actor))


# --- the services -------------------------------------------------------------------------------


def check_stale_months(value: Any) -> int:
    """``value`` as a number of months between 1 and 120, else a 422 on ``stale_months``."""
    try:
        months = int(value)
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= 120:
        raise ValidationFailed.field(
            "stale_months", _("Give a number of months between 1 and 120."), "invalid"
        )
    return months


def _new_run(actor: Actor, months: int, trigger: str) -> AuditRun:
    return AuditRun.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        trigger=trigger,
        stale_months=months,
        status=AuditStatus.QUEUED,
    )


def run_audit(*, actor: Actor, stale_months: Any = 6, trigger: str = AuditTrigger.USER) -> AuditRun:
    """Audit the actor's workspace now and store the run (score and findings). Refuses roles
    without ``records.write`` (a viewer reads reports, does not make them) and a stale period
    outside 1-120 months (422 ``stale_months``)."""
    require(actor, "records.write")
    months = check_stale_months(stale_months)
    with transaction.atomic():
        run = _new_run(actor, months, trigger)
    return execute_audit_run(run.pk, actor=actor)


def start_audit(*, actor: Actor, stale_months: Any = 6) -> AuditRun:
    """Audit now when the workspace is small (at most :data:`INLINE_LIMIT` live people and
    companies), else queue the audit as a background task and return the queued run. Refuses
    like :func:`run_audit`."""
    require(actor, "records.write")
    months = check_stale_months(stale_months)
    size = sum(_live(actor, t).count() for t in OBJECTS)
    if size <= INLINE_LIMIT:
        return run_audit(actor=actor, stale_months=months)
    with transaction.atomic():
        run = _new_run(actor, months, AuditTrigger.USER)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    jobs.enqueue(RUN_JOB, run_id)


def _run_actor(run: AuditRun) -> Actor:
    if run.created_by is not None:
        found = actor_for(run.created_by, run.workspace, source=Source.SYSTEM)
        if found is not None:
            return found
    return Actor.system(run.workspace)


def execute_audit_run(run_id: int, *, actor: Actor | None = None) -> AuditRun:
    """Compute a queued run (the task's entry; idempotent: a finished run is returned as it
    is). Progress moves per object type; a failure marks the run failed with the reason."""
    run = AuditRun.objects.select_related("workspace", "created_by").get(pk=run_id)
    if run.status == AuditStatus.DONE:
        return run
    actor = actor or _run_actor(run)
    AuditRun.objects.filter(pk=run.pk).update(status=AuditStatus.RUNNING, progress=1)
    try:
        objects: dict[str, Any] = {}
        for index, object_type in enumerate(OBJECTS, start=1):
            objects[object_type] = audit_object(actor, run, object_type)
            AuditRun.objects.filter(pk=run.pk).update(progress=int(90 * index / len(OBJECTS)))
        open_pairs = _open_pairs(actor)
    except Exception as exc:
        AuditRun.objects.filter(pk=run.pk).update(
            status=AuditStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    total = sum(o["total"] for o in objects.values())
    score = round(sum(o["score"] * o["total"] for o in objects.values()) / total) if total else 100
    with transaction.atomic():
        run = AuditRun.objects.select_for_update().get(pk=run.pk)
        run.status = AuditStatus.DONE
        run.progress = 100
        run.score = score
        run.findings = {
            "stale_months": run.stale_months,
            "total": total,
            "open_duplicate_pairs": open_pairs,
            "objects": objects,
        }
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor, "audit.completed", run, object_type="quality.auditrun", changes={"score": score}
        )
        events.emit("audit.completed", actor=actor, subject=run, payload={"score": score})
    return run


def audit_all_workspaces() -> int:
    """Audit every active workspace as the system (the daily schedule); returns how many."""
    done = 0
    for workspace in Workspace.objects.order_by("pk").iterator():
        try:
            run_audit(actor=Actor.system(workspace), trigger=AuditTrigger.SCHEDULE)
        except Exception:
            # One workspace's failure (recorded on its run) must not skip the others.
            logger.exception("scheduled audit of workspace %s failed", workspace.pk)
            continue
        done += 1
    return done
