"""Rows of each kind in Ana's workspace, in bulk, for tests that need many of them
(tests/core/every_path_rows.py): copies of the records the seed made
(tests/one_of_everything.py) with the fields that must differ, written with ``bulk_create``."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Model
from django.utils import timezone

from tests.conftest import Persona
from vinculo.activities.models import Activity, TimelineEntry
from vinculo.contacts.models import Affiliation, Company, Person, Tag
from vinculo.core.tenancy import Membership, User
from vinculo.events.models import Purchase, TrackedEvent
from vinculo.quality.models import DuplicateCandidate
from vinculo.sales.models import Deal, LineItem

Ids = dict[str, Any]
Grow = Callable[[Persona, Ids, int], None]
SERIAL = itertools.count(1)


def serial() -> int:
    return next(SERIAL)


def values_of(template: Model) -> dict[str, Any]:
    return {
        f.attname: getattr(template, f.attname)
        for f in template._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    }


def add(model: type[Model], n: int, template: Model | None = None, **fields: Any) -> list[Any]:
    """``n`` new rows of ``model``: ``template``'s values with ``fields`` over them (a callable
    is called with the row's index)."""
    base = values_of(template) if template is not None else {}
    rows = []
    for j in range(n):
        values = dict(base)
        for name, value in fields.items():
            values[name] = value(j) if callable(value) else value
        rows.append(model(**values))
    return model._default_manager.bulk_create(rows)


def first(model: type[Model], ana: Persona, **filters: Any) -> Any:
    found = model._base_manager.filter(workspace=ana.workspace, **filters).order_by("pk").first()
    assert found is not None, f"the seed made no {model.__name__} matching {filters}"
    return found


def unique(prefix: str) -> Callable[[int], str]:
    return lambda j: f"{prefix}{serial()}"


def tags(ana: Persona, n: int) -> list[Tag]:
    # (bulk_create skips save(), which folds the name into name_key)
    return add(Tag, n, first(Tag, ana), name=unique("etiqueta-"), name_key=unique("etiqueta-"))


def people(ana: Persona, ids: Ids, n: int, **links: Any) -> list[Person]:
    """``n`` people, each with a tag, the seeded company and a custom field value, as a list
    shows them."""
    made = add(
        Person,
        n,
        Person.objects.get(pk=ids["person_id"]),
        cpf="",
        email=unique("pessoa@ex"),
        custom_fields={"plano": "Ouro"},
        **links,
    )
    tag = first(Tag, ana)
    Person.tags.through.objects.bulk_create(
        [Person.tags.through(person_id=p.pk, tag_id=tag.pk) for p in made]
    )
    add(
        Affiliation,
        n,
        workspace_id=ana.workspace.pk,
        person_id=lambda j: made[j].pk,
        company_id=ids["company_id"],
        role="Compras",
    )
    return made


def companies(ana: Persona, ids: Ids, n: int) -> list[Company]:
    made = add(Company, n, Company.objects.get(pk=ids["company_id"]), cnpj="")
    tag = first(Tag, ana)
    Company.tags.through.objects.bulk_create(
        [Company.tags.through(company_id=c.pk, tag_id=tag.pk) for c in made]
    )
    return made


def deals(ana: Persona, ids: Ids, n: int, **fields: Any) -> list[Deal]:
    """``n`` deals in the seeded deal's pipeline, each with a tag and a line item."""
    made = add(Deal, n, Deal.objects.get(pk=ids["deal_id"]), **fields)
    tag = first(Tag, ana)
    Deal.tags.through.objects.bulk_create(
        [Deal.tags.through(deal_id=d.pk, tag_id=tag.pk) for d in made]
    )
    add(
        LineItem,
        n,
        workspace_id=ana.workspace.pk,
        deal_id=lambda j: made[j].pk,
        product_id=ids["product_id"],
        name="Pão de queijo",
        unit_price=12,
    )
    return made


def users(ana: Persona, n: int, role: str = "sales_rep") -> list[User]:
    made = add(User, n, ana.user, email=unique("membro@ex"), full_name="Membro")
    add(Membership, n, workspace_id=ana.workspace.pk, user_id=lambda j: made[j].pk, role=role)
    return made


def timeline(ana: Persona, ids: Ids, n: int, **subject: Any) -> None:
    """``n`` entries on ``subject``'s timeline, copied round the kinds the seed wrote (activity
    entries with their activity)."""
    by_kind: dict[str, TimelineEntry] = {}
    for entry in TimelineEntry.objects.filter(workspace=ana.workspace).order_by("pk")[:500]:
        by_kind.setdefault(entry.kind, entry)
    templates = list(by_kind.values())
    now = timezone.now()
    rows = []
    for j in range(n):
        template = templates[j % len(templates)]
        values = {**values_of(template), **subject, "occurred_at": now - timedelta(minutes=j)}
        rows.append(TimelineEntry(**values))
    TimelineEntry.objects.bulk_create(rows)


def activities(ana: Persona, ids: Ids, n: int, **fields: Any) -> list[Activity]:
    links = {
        "person_id": ids["person_id"],
        "company_id": ids["company_id"],
        "deal_id": ids["deal_id"],
    }
    return add(Activity, n, Activity.objects.get(pk=ids["activity_id"]), **{**links, **fields})


def duplicate_pairs(ana: Persona, ids: Ids, n: int) -> None:
    twins = people(ana, ids, 2 * n)
    pair = DuplicateCandidate.objects.get(pk=ids["pair_id"])
    add(
        DuplicateCandidate,
        n,
        pair,
        left_id=lambda j: twins[2 * j].pk,
        right_id=lambda j: twins[2 * j + 1].pk,
        cluster=lambda j: twins[2 * j].pk,
    )


def tracked_events(ana: Persona, ids: Ids, n: int) -> list[TrackedEvent]:
    return add(
        TrackedEvent,
        n,
        TrackedEvent.objects.get(pk=ids["event_id"]),
        key="",
        person_id=ids["person_id"],
    )


def purchases(ana: Persona, ids: Ids, n: int) -> None:
    events = tracked_events(ana, ids, n)
    add(
        Purchase,
        n,
        workspace_id=ana.workspace.pk,
        event_id=lambda j: events[j].pk,
        person_id=ids["person_id"],
        order_id=unique("pedido-"),
        amount=50,
        currency="BRL",
        items=[{"sku": "PQ1", "name": "Pão de queijo", "quantity": "2", "unit_price": "12.50"}],
    )


def sibling(model: type[Model], id_key: str, **fields: Any) -> Grow:
    """More records like Ana's ``ids[id_key]`` (for a detail that nests nothing)."""

    def grow(ana: Persona, ids: Ids, n: int) -> None:
        add(model, n, model._base_manager.get(pk=ids[id_key]), **fields)

    return grow


def nothing(ana: Persona, ids: Ids, n: int) -> None:
    return None
