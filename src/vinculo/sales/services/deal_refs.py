"""What deal input refers to (pipelines, stages, people, companies, products, members, custom
fields, lost reasons, entry rules), looked up once per call and cached: :mod:`.deal_input`
cleans through it, and bulk imports preload it all in a few queries.
"""

from __future__ import annotations

from typing import Any

from vinculo.contacts.custom_fields import definitions
from vinculo.contacts.models import Company, CustomFieldDefinition, Person
from vinculo.contacts.selectors import live_ids
from vinculo.core import entry_rules
from vinculo.core.actor import Actor
from vinculo.sales.models import Pipeline, Product, Stage, StageKind
from vinculo.sales.services.lost_reasons import ReasonBook
from vinculo.sales.services.pipelines import ensure_default_pipeline
from vinculo.workspaces.selectors import active_member_ids


class DealRefs:
    """What deal input refers to, looked up once and cached (bulk imports preload it all)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.workspace = actor.workspace
        self._pipelines: dict[int, Pipeline] | None = None
        self._stages: dict[int, Stage] = {}
        self._members: set[int] | None = None
        self._people: dict[int, bool] = {}
        self._companies: dict[int, bool] = {}
        self._products: dict[int, Product | None] = {}
        self._defs: dict[str, CustomFieldDefinition] | None = None
        self._default: Pipeline | None = None
        self.reasons = ReasonBook(actor.workspace)
        self.rules = entry_rules.checker(actor, "deal")  # loads once, on first use

    def _load_structure(self) -> None:
        pipelines = {p.pk: p for p in Pipeline.objects.for_workspace(self.workspace)}
        stages = Stage.objects.for_workspace(self.workspace).order_by("pipeline", "position", "id")
        self._stages = {}
        for stage in stages:
            stage.pipeline = pipelines[stage.pipeline_id]
            self._stages[stage.pk] = stage
        self._pipelines = pipelines

    def pipeline(self, pk: int) -> Pipeline | None:
        if self._pipelines is None:
            self._load_structure()
        assert self._pipelines is not None  # noqa: S101 (loaded above)
        return self._pipelines.get(pk)

    def stage(self, pk: int) -> Stage | None:
        if self._pipelines is None:
            self._load_structure()
        return self._stages.get(pk)

    def first_open_stage(self, pipeline: Pipeline) -> Stage | None:
        if self._pipelines is None:
            self._load_structure()
        return next(
            (
                s
                for s in self._stages.values()
                if s.pipeline_id == pipeline.pk and s.kind == StageKind.OPEN
            ),
            None,
        )

    def default_pipeline(self) -> Pipeline:
        if self._default is None:
            default = ensure_default_pipeline(actor=self.actor)
            if self.pipeline(default.pk) is None:  # just created: reload
                self._load_structure()
            self._default = self.pipeline(default.pk)
        assert self._default is not None  # noqa: S101
        return self._default

    def is_member(self, user_id: int) -> bool:
        if self._members is None:
            self._members = active_member_ids(self.workspace)
        return user_id in self._members

    def _live(self, model: Any, cache: dict[int, bool], ids: set[int]) -> None:
        missing = ids - set(cache)
        if missing:
            found = live_ids(self.workspace, model, missing)
            cache.update({pk: pk in found for pk in missing})

    def person_ok(self, pk: int) -> bool:
        self._live(Person, self._people, {pk})
        return self._people[pk]

    def company_ok(self, pk: int) -> bool:
        self._live(Company, self._companies, {pk})
        return self._companies[pk]

    def product(self, pk: int) -> Product | None:
        if pk not in self._products:
            self._products[pk] = Product.objects.for_workspace(self.workspace).filter(pk=pk).first()
        return self._products[pk]

    def defs(self) -> dict[str, CustomFieldDefinition]:
        if self._defs is None:
            self._defs = definitions(self.actor, "deal")
        return self._defs

    def preload(self, rows: list[Any]) -> None:
        """Fetch every person, company and product the rows name, a few queries in all."""
        people: set[int] = set()
        companies: set[int] = set()
        products: set[int] = set()
        for row in rows:
            if not isinstance(row, dict):
                continue
            for key, bucket in (("person_id", people), ("company_id", companies)):
                value = row.get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    bucket.add(value)
            for item in row.get("line_items") or []:
                if isinstance(item, dict) and isinstance(item.get("product_id"), int):
                    products.add(item["product_id"])
        self._live(Person, self._people, people)
        self._live(Company, self._companies, companies)
        if products:
            found = {
                p.pk: p
                for p in Product.objects.for_workspace(self.workspace).filter(pk__in=products)
            }
            self._products.update({pk: found.get(pk) for pk in products})
        self.defs()
        self.is_member(0)
        self.pipeline(0)
