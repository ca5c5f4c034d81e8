"""A realistic, deterministic pt-BR data set for a workspace: the demo and the benchmarks.

:class:`DemoDataset` only *produces rows* (plain dicts in the shape the bulk services take); it
never touches the database, so the same seed yields the same rows. :func:`seed_workspace` feeds
those rows, batch by batch, to the bulk services of the contacts, sales and activities apps — the
same paths imports use — and keeps only compact arrays of ids in memory, so 100,000 people fit
in a modest process.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vinculo.activities import services as activity_services
from vinculo.contacts import services as contact_services
from vinculo.contacts.models import Person
from vinculo.core.actor import Actor
from vinculo.core.tenancy import Membership, Role
from vinculo.demo import reference as ref
from vinculo.demo.dataset import (
    BATCH_SIZE,
    DEFAULT_PIPELINE_NAME,
    DemoDataset,
    PipelineRef,
)
from vinculo.demo.indexes import DealIndex, PeopleIndex
from vinculo.sales import services as sales_services
from vinculo.sales.models import Pipeline, Product

Progress = Callable[[str, int, int], None]


@dataclass
class SeedSummary:
    """What :func:`seed_workspace` wrote, and how long each phase took (seconds)."""

    workspace: str
    skipped: bool = False
    companies: int = 0
    people: int = 0
    deals: int = 0
    activities: int = 0
    tasks: int = 0
    pipelines: int = 0
    products: int = 0
    busy_person_id: int | None = None
    row_errors: int = 0
    first_errors: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- seeding through the services ------------------------------------------------------------


def _demo_owner(actor: Actor) -> int:
    if actor.user is not None:
        return actor.user.pk
    owner = (
        Membership.objects.filter(workspace=actor.workspace, role=Role.OWNER, is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    if owner is None:
        raise ValueError("the workspace has no owner")
    return owner


def _member_ids(actor: Actor) -> list[int]:
    return list(
        Membership.objects.filter(workspace=actor.workspace, is_active=True)
        .exclude(role=Role.VIEWER)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


def workspace_has_people(actor: Actor) -> bool:
    return Person.objects.for_workspace(actor.workspace).exists()


class _Phases:
    def __init__(self, summary: SeedSummary, progress: Progress | None) -> None:
        self.summary = summary
        self.progress = progress

    def run(self, name: str, func: Callable[[], None]) -> None:
        started = time.perf_counter()
        func()
        self.summary.phases[name] = round(time.perf_counter() - started, 3)

    def tick(self, name: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(name, done, total)


def _keep(summary: SeedSummary, phase: str, result: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Indexes (into ``rows``) of the created records, in order; row errors are counted."""
    bad = {e.index for e in result.errors}
    if bad:
        summary.row_errors += len(bad)
        for e in result.errors[: max(0, 5 - len(summary.first_errors))]:
            summary.first_errors.append({"phase": phase, **e.as_dict()})
    return [i for i in range(len(rows)) if i not in bad]


def seed_workspace(
    *,
    actor: Actor,
    people: int,
    seed: int = 42,
    progress: Progress | None = None,
    companies: int | None = None,
    deals: int | None = None,
    activities: int | None = None,
    busy_person_activities: int = 0,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
) -> SeedSummary:
    """Fill ``actor.workspace`` with a realistic pt-BR CRM: companies, people, pipelines,
    deals, activities and tasks, through the bulk services (the import path).

    Defaults: companies = people / 10, deals = people / 5, activities = people. With
    ``busy_person_activities`` one key account gets that many interactions (a long timeline);
    its id is ``summary.busy_person_id``. Refuses nothing but does nothing (``skipped``) when the
    workspace already has people, so calling it twice never duplicates. Everything is written
    in one transaction: a failure leaves the workspace as it was.
    """
    started = time.perf_counter()
    summary = SeedSummary(workspace=actor.workspace.slug)
    if workspace_has_people(actor):
        summary.skipped = True
        return summary
    n_companies = max(3, people // 10) if companies is None else companies
    n_deals = people // 5 if deals is None else deals
    n_activities = people if activities is None else activities
    now = now or timezone.now()
    owner_id = _demo_owner(actor)
    dataset = DemoDataset(
        seed=seed,
        now=now,
        time_zone=actor.workspace.timezone or "America/Sao_Paulo",
        owner_ids=_member_ids(actor) or [owner_id],
        demo_owner_id=owner_id,
        tasks_can_be_done="completed_at" in getattr(activity_services, "ALL_FIELDS", ()),
    )
    phases = _Phases(summary, progress)
    company_ids = array("q")
    company_domains: list[str] = []
    people_index = PeopleIndex()
    deal_index = DealIndex()
    pipelines: list[PipelineRef] = []
    products: list[tuple[int, ref.CatalogueItem]] = []
    stage_order = {key: i for i, (key, _w) in enumerate(ref.LIFECYCLE_FUNNEL)}

    def setup() -> None:
        contact_services.ensure_lifecycle_stages(actor=actor)
        pipelines.extend(_ensure_pipelines(actor, sales_services))
        summary.pipelines = len(pipelines)
        products.extend(_ensure_products(actor, sales_services))
        summary.products = len(products)

    def write_companies() -> None:
        done = 0
        for rows in dataset.companies(n_companies, batch_size):
            result = contact_services.bulk_create_companies(actor=actor, rows=rows, max_rows=None)
            for i, company in zip(
                _keep(summary, "companies", result, rows), result.created, strict=True
            ):
                company_ids.append(company.pk)
                company_domains.append(rows[i]["domain"])
                people_index.company_names[company.pk] = rows[i]["name"]
            done += len(rows)
            summary.companies += len(result.created)
            phases.tick("companies", done, n_companies)

    def write_people() -> None:
        done = 0
        for batch_no, rows in enumerate(
            dataset.people(people, company_ids, company_domains, batch_size)
        ):
            if batch_no == 1:
                # With statistics the planner looks CPFs up by their index instead of walking
                # every live person of the workspace for each batch's duplicate check.
                refresh_statistics()
            result = contact_services.bulk_create_people(actor=actor, rows=rows, max_rows=None)
            for i, person in zip(
                _keep(summary, "people", result, rows), result.created, strict=True
            ):
                row = rows[i]
                people_index.ids.append(person.pk)
                people_index.companies.append(
                    row["companies"][0]["company_id"] if row["companies"] else 0
                )
                people_index.owners.append(row["owner_id"])
                people_index.created.append(row["created_at"].timestamp())
                people_index.stages.append(stage_order[row["lifecycle_stage"]])
                people_index.names.append(f"{row['first_name']} {row['last_name']}")
            done += len(rows)
            summary.people += len(result.created)
            phases.tick("people", done, people)

    def write_deals() -> None:
        done = 0
        for rows in dataset.deals(n_deals, pipelines, people_index, products, batch_size):
            # max_rows = the batch itself: this service takes no "unlimited" None
            result = sales_services.bulk_create_deals(
                actor=actor, rows=rows, max_rows=max(len(rows), 1)
            )
            for i, deal in zip(_keep(summary, "deals", result, rows), result.created, strict=True):
                row = rows[i]
                deal_index.ids.append(deal.pk)
                deal_index.people.append(row["person_id"] or 0)
                deal_index.companies.append(row["company_id"] or 0)
                deal_index.owners.append(row["owner_id"])
                deal_index.start.append(row["stage_history"][0]["at"].timestamp())
                deal_index.end.append(row["stage_history"][-1]["at"].timestamp())
            done += len(rows)
            summary.deals += len(result.created)
            phases.tick("deals", done, n_deals)

    def log(rows: list[dict[str, Any]], phase: str) -> None:
        # max_rows = the batch itself: this service takes no "unlimited" None
        result = activity_services.bulk_log_activities(
            actor=actor, rows=rows, max_rows=max(len(rows), 1)
        )
        _keep(summary, phase, result, rows)
        summary.activities += len(result.created)
        summary.tasks += sum(1 for a in result.created if a.kind == "task")

    def write_activities() -> None:
        done = 0
        for rows in dataset.activities(n_activities, people_index, deal_index, batch_size):
            log(rows, "activities")
            done += len(rows)
            phases.tick("activities", done, n_activities)
        log(dataset.owner_agenda(people_index), "tasks")

    def write_busy() -> None:
        if not busy_person_activities or not len(people_index):
            return
        # the demo owner's first customer becomes the key account with a long history
        candidates = [
            i
            for i in range(len(people_index))
            if people_index.owners[i] == owner_id and people_index.stages[i] >= 5
        ]
        p = candidates[0] if candidates else 0
        person_id = int(people_index.ids[p])
        summary.busy_person_id = person_id
        rows = dataset.busy_history(person_id, busy_person_activities)
        for start in range(0, len(rows), batch_size):
            log(rows[start : start + batch_size], "busy")
            phases.tick("busy", min(start + batch_size, len(rows)), len(rows))

    with transaction.atomic():
        phases.run("setup", setup)
        phases.run("companies", write_companies)
        phases.run("people", write_people)
        phases.run("deals", write_deals)
        phases.run("activities", write_activities)
        phases.run("busy", write_busy)
    phases.run("analyze", refresh_statistics)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def refresh_statistics() -> None:
    """Update the query planner's statistics (``ANALYZE``) after a bulk load.

    Without them SQLite picks the ``(workspace, deleted_at, id)`` index for lookups such as
    "a live person with this CPF" and reads every person of the workspace (70 ms at 100,000
    people instead of 0.1 ms).
    """
    if connection.vendor in {"sqlite", "postgresql"}:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _ensure_pipelines(actor: Actor, sales_services: Any) -> list[PipelineRef]:
    """The default pipeline (renamed "Vendas B2B" when it is the stock one this seeding just
    made) plus the demo's "Renovações" and "Parcerias" pipelines, each with won and lost stages."""
    default = sales_services.ensure_default_pipeline(actor=actor)
    if default.name in {"Vendas", "Sales"} and not default.deals.exists():
        taken = Pipeline.objects.for_workspace(actor.workspace).filter(name=DEFAULT_PIPELINE_NAME)
        if not taken.exists():
            default = sales_services.update_pipeline(
                actor=actor, pipeline_id=default.pk, data={"name": DEFAULT_PIPELINE_NAME}
            )
    existing = {
        p.name: p for p in Pipeline.objects.for_workspace(actor.workspace).filter(archived_at=None)
    }
    for name, stages in ref.PIPELINES.items():
        if name in existing:
            continue
        spec = [
            {"name": stage, "probability": prob, "rotting_days": days, "kind": "open"}
            for stage, prob, days in stages
        ]
        spec += [
            {"name": "Ganho", "probability": 100, "kind": "won"},
            {"name": "Perdido", "probability": 0, "kind": "lost"},
        ]
        sales_services.create_pipeline(actor=actor, data={"name": name, "stages": spec})
    ordered = [default] + [
        p
        for p in Pipeline.objects.for_workspace(actor.workspace).filter(archived_at=None)
        if p.pk != default.pk and p.name in ref.PIPELINES
    ]
    refs = []
    for p in ordered:
        in_order = list(p.stages.order_by("position", "id"))
        refs.append(
            PipelineRef(
                id=p.pk,
                name=p.name,
                open_stages=tuple(s.pk for s in in_order if s.kind == "open"),
                won_stage=next((s.pk for s in in_order if s.kind == "won"), None),
                lost_stage=next((s.pk for s in in_order if s.kind == "lost"), None),
                lost_reasons=tuple(p.lost_reasons.values_list("code", "pk")),
            )
        )
    return [r for r in refs if r.open_stages]


def _ensure_products(actor: Actor, sales_services: Any) -> list[tuple[int, ref.CatalogueItem]]:
    """The demo product catalogue (created once, matched by SKU)."""
    have = {p.sku: p.pk for p in Product.objects.for_workspace(actor.workspace)}
    result = []
    for item in ref.PRODUCTS:
        pk = have.get(item.sku)
        if pk is None:
            product = sales_services.create_product(
                actor=actor,
                data={
                    "name": item.name,
                    "sku": item.sku,
                    "unit_price": item.unit_price,
                    "currency": "BRL",
                },
            )
            pk = product.pk
        result.append((pk, item))
    return result
