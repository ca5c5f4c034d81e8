"""Reads of people, companies and their settings, always scoped to the actor's workspace."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from vinculo.contacts.models import (
    Affiliation,
    Company,
    Consent,
    ConsentChange,
    CustomFieldDefinition,
    LifecycleChange,
    LifecycleStage,
    Person,
    Spend,
    Tag,
)
from vinculo.core import validators
from vinculo.core.actor import Actor
from vinculo.core.bulk import live_ids_by_value
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.filters import Fold, apply_filter
from vinculo.core.permissions import require
from vinculo.core.tenancy import Workspace
from vinculo.core.text import fold
from vinculo.core.validators import TypedNumber, typed_number

PERSON_SORTS = ("created_at", "updated_at", "first_name", "last_name", "email")
COMPANY_SORTS = ("created_at", "updated_at", "name")

_DIGITS = re.compile(r"\D")


def live_ids(
    workspace: Workspace, model: type[Person] | type[Company], ids: Iterable[int]
) -> set[int]:
    """Which of ``ids`` are people (or companies) of ``workspace`` that are not in the bin: how
    deals and activities check the records they link to, a query per 900 ids."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 900):
        found.update(
            model.objects.for_workspace(workspace)
            .filter(pk__in=wanted[start : start + 900], deleted_at__isnull=True)
            .values_list("pk", flat=True)
        )
    return found


BINNED_LISTED = 500  # up to this many binned people are left out by their ids, more by a query


def binned_people(workspace: Any) -> QuerySet:
    return Person.objects.for_workspace(workspace).filter(deleted_at__isnull=False)


def few_binned(workspace: Any) -> list[int] | None:
    """The ids of the workspace's binned people when they are few (up to
    :data:`BINNED_LISTED`), else None."""
    ids = list(binned_people(workspace).values_list("pk", flat=True)[: BINNED_LISTED + 1])
    return ids if len(ids) <= BINNED_LISTED else None


def without_binned(rows: QuerySet, workspace: Any) -> QuerySet:
    """``rows`` (anything with a ``person``) of people not binned, and not of no one. Binned
    people are few: leaving their ids out reads the rows from their own indexes instead of
    joining each to its person (with none binned there is nothing to leave out); many are left
    out by a subquery."""
    rows = rows.filter(person__isnull=False)
    ids = few_binned(workspace)
    if ids is None:
        return rows.exclude(person_id__in=binned_people(workspace).values("pk"))
    return rows.exclude(person_id__in=ids) if ids else rows


def check_sort(sort: str | None, allowed: tuple[str, ...], default: str = "-created_at") -> str:
    """``sort`` if it names an allowed field (``-`` for descending), else a 422 on ``sort``."""
    sort = sort or default
    if sort.lstrip("-") not in allowed:
        raise ValidationFailed.field(
            "sort",
            _("Sort by one of: %(fields)s (prefix - for descending).")
            % {"fields": ", ".join(allowed)},
            "invalid_choice",
        )
    return sort


def _apply_filter(qs: QuerySet, object_type: str, tree: Any, actor: Actor) -> QuerySet:
    if not tree:
        return qs
    return apply_filter(qs, object_type, tree, actor=actor)


# A typed number with at least this many digits is looked up only as a phone or document (on
# their indexes); shorter ones are also read as parts of names and emails.
NUMBER_SEARCH_DIGITS = 8


def _starting_with(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix`` (digits after an optional ``+``) as a range, which any
    index on ``field`` serves whatever the database's collation (``LIKE 'x%'`` may not)."""
    head = prefix.rstrip("9")
    if not head or not head[-1].isdigit():
        return Q(**{f"{field}__gte": prefix})
    upper = head[:-1] + str(int(head[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _number_search(number: TypedNumber, document: str, phones: tuple[str, ...]) -> Q:
    """A typed number as the ``document`` (CPF/CNPJ digits, or their beginning) or as one of
    the ``phones`` columns (E.164: the numbers it can be, or their beginnings)."""
    condition = _starting_with(document, number.digits)
    for column in phones:
        if number.phones:
            condition |= Q(**{f"{column}__in": sorted(number.phones)})
        for prefix in number.phone_prefixes:
            condition |= _starting_with(column, prefix)
    return condition


def _person_search(q: str, region: str) -> Q:
    number = typed_number(q, region)
    if number is not None and len(number.digits) >= NUMBER_SEARCH_DIGITS:
        return _number_search(number, "cpf", ("phone", "mobile_phone"))
    if number is not None and len(number.digits) >= 4:  # a short number: part of one
        digits = number.digits
        return (
            Q(email__icontains=digits)
            | Q(cpf__startswith=digits)
            | Q(phone__contains=digits)
            | Q(mobile_phone__contains=digits)
        )
    condition = Q()
    for word in q.split()[:5]:
        part = (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
        digits = _DIGITS.sub("", word)
        if len(digits) >= 4:
            part |= (
                Q(cpf__startswith=digits)
                | Q(phone__contains=digits)
                | Q(mobile_phone__contains=digits)
            )
        condition &= part
    return condition


def people(
    actor: Actor,
    *,
    q: str | None = None,
    filter: Any = None,
    owner_id: int | None = None,
    lifecycle_stage: str | None = None,
    tag: str | None = None,
    company_id: int | None = None,
    deleted: bool = False,
) -> QuerySet[Person]:
    """People of the workspace matching a search, a filter tree and simple criteria; the bin
    when ``deleted``. Tags, companies and stage come prefetched for listing."""
    require(actor, "records.view")
    qs = Person.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=not deleted)
    if q and q.strip():
        qs = qs.filter(_person_search(q.strip(), actor.workspace.country))
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if lifecycle_stage:
        qs = qs.filter(lifecycle_stage__key=lifecycle_stage)
    if tag:
        qs = qs.filter(tags__name_key=fold(tag))
    if company_id is not None:
        qs = qs.filter(affiliations__company_id=company_id)
    qs = _apply_filter(qs, "person", filter, actor)
    return qs.select_related("lifecycle_stage").prefetch_related(
        "tags",
        Prefetch("affiliations", queryset=Affiliation.objects.select_related("company")),
    )


def get_person(actor: Actor, person_id: int) -> Person:
    """One person of the workspace (live or in the bin) with tags, companies and consents;
    NotFound otherwise."""
    require(actor, "records.view")
    person = (
        Person.objects.for_workspace(actor.workspace)
        .select_related("lifecycle_stage")
        .prefetch_related(
            "tags",
            "consents",
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("company")),
        )
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound(_("No person with id %(id)s.") % {"id": person_id})
    return person


def companies(
    actor: Actor,
    *,
    q: str | None = None,
    filter: Any = None,
    owner_id: int | None = None,
    lifecycle_stage: str | None = None,
    tag: str | None = None,
    deleted: bool = False,
) -> QuerySet[Company]:
    """Companies of the workspace, like :func:`people`."""
    require(actor, "records.view")
    qs = Company.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=not deleted)
    if q and q.strip():
        text = q.strip()
        number = typed_number(text, actor.workspace.country)
        if number is not None and len(number.digits) >= NUMBER_SEARCH_DIGITS:
            condition = _number_search(number, "cnpj", ())
        else:
            condition = (
                Q(name__icontains=text) | Q(legal_name__icontains=text) | Q(domain__icontains=text)
            )
            digits = _DIGITS.sub("", text)
            if len(digits) >= 4:
                condition |= Q(cnpj__startswith=digits)
        qs = qs.filter(condition)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if lifecycle_stage:
        qs = qs.filter(lifecycle_stage__key=lifecycle_stage)
    if tag:
        qs = qs.filter(tags__name_key=fold(tag))
    qs = _apply_filter(qs, "company", filter, actor)
    return qs.select_related("lifecycle_stage").prefetch_related("tags")


def company_named(actor: Actor, name: str) -> Company | None:
    """The oldest live company of the workspace called ``name``, case and runs of spaces aside
    (the filter language's fold, so "Ótica" finds "ótica" on SQLite as on PostgreSQL); None when
    there is none."""
    require(actor, "records.view")
    folded = " ".join(name.split()).lower()
    return (
        Company.objects.for_workspace(actor.workspace)
        .filter(deleted_at__isnull=True)
        .alias(folded_name=Fold(F("name")))
        .filter(folded_name=folded)
        .order_by("pk")
        .first()
    )


def get_company(actor: Actor, company_id: int) -> Company:
    """One company (live or in the bin) with its tags; NotFound otherwise."""
    require(actor, "records.view")
    company = (
        Company.objects.for_workspace(actor.workspace)
        .select_related("lifecycle_stage")
        .prefetch_related("tags")
        .filter(pk=company_id)
        .first()
    )
    if company is None:
        raise NotFound(_("No company with id %(id)s.") % {"id": company_id})
    return company


def company_people(actor: Actor, company_id: int) -> QuerySet[Affiliation]:
    """The live people of a company with their roles."""
    get_company(actor, company_id)
    return (
        Affiliation.objects.for_workspace(actor.workspace)
        .filter(company_id=company_id, person__deleted_at__isnull=True)
        .select_related("person")
        .order_by("-is_primary", "person__first_name", "pk")
    )


def lifecycle_stages(actor: Actor) -> list[LifecycleStage]:
    """The workspace's lifecycle stages in order (the defaults are made with the workspace)."""
    require(actor, "records.view")
    return list(LifecycleStage.objects.for_workspace(actor.workspace).order_by("position", "pk"))


def lifecycle_history(actor: Actor, person_id: int) -> QuerySet[LifecycleChange]:
    get_person(actor, person_id)
    return (
        LifecycleChange.objects.for_workspace(actor.workspace)
        .filter(person_id=person_id)
        .select_related("from_stage", "to_stage", "created_by")
        .order_by("changed_at", "pk")
    )


def consents(actor: Actor, person_id: int) -> tuple[list[Consent], list[ConsentChange]]:
    """A person's current consent per channel and the full history, oldest first."""
    get_person(actor, person_id)
    current = list(
        Consent.objects.for_workspace(actor.workspace)
        .filter(person_id=person_id)
        .order_by("channel")
    )
    history = list(
        ConsentChange.objects.for_workspace(actor.workspace)
        .filter(person_id=person_id)
        .order_by("changed_at", "pk")
    )
    return current, history


def custom_fields(
    actor: Actor, *, object_type: str | None = None, include_archived: bool = False
) -> QuerySet[CustomFieldDefinition]:
    require(actor, "records.view")
    qs = CustomFieldDefinition.objects.for_workspace(actor.workspace)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.order_by("object_type", "position", "pk")


def tags(actor: Actor, *, q: str | None = None) -> QuerySet[Tag]:
    require(actor, "records.view")
    qs = Tag.objects.for_workspace(actor.workspace)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs.order_by("name")


@dataclass
class ExistingMatch:
    """A live record that already has some of the values typed in a form (``fields``: the
    form's field names whose value it holds)."""

    record: Person | Company
    fields: list[str] = field(default_factory=list)


# form field -> (how the value is stored, the columns it is looked up in), as the import matches
_MATCHED: dict[str, dict[str, tuple[Callable[..., str], tuple[str, ...]]]] = {
    "person": {
        "email": (validators.clean_email, ("email",)),
        "phone": (validators.clean_phone, ("phone", "mobile_phone")),
        "mobile_phone": (validators.clean_phone, ("phone", "mobile_phone")),
        "cpf": (validators.clean_cpf, ("cpf",)),
    },
    "company": {"cnpj": (validators.clean_cnpj, ("cnpj",))},
}


def existing_matches(
    actor: Actor, object_type: str, data: dict[str, Any], *, exclude_id: int | None = None
) -> list[ExistingMatch]:
    """Live people of the workspace that already have an email, phone or CPF of ``data`` (for
    a company: its CNPJ), oldest first, as an import matches its rows to records: each value
    cleaned as the services store it, looked up in its columns (a phone in both phone columns)
    through :func:`vinculo.core.bulk.live_ids_by_value`, the oldest record per value. Values
    that do not validate match nothing (the form says what is wrong with them)."""
    require(actor, "records.view")
    model: type[Person] | type[Company] = Person if object_type == "person" else Company
    region = (actor.workspace.country or "BR").upper()
    hits: dict[int, list[str]] = {}
    for name, (clean, columns) in _MATCHED.get(object_type, {}).items():
        try:
            value = (
                clean(data.get(name), name, region=region)
                if clean is validators.clean_phone
                else clean(data.get(name), name)
            )
        except ValidationFailed:
            continue
        if not value:
            continue
        for column in columns:
            for pk in live_ids_by_value(model, actor.workspace.pk, column, [value]).values():
                if pk != exclude_id and name not in hits.setdefault(pk, []):
                    hits[pk].append(name)
    if not hits:
        return []
    records = model.objects.for_workspace(actor.workspace).filter(pk__in=hits).order_by("pk")
    return [ExistingMatch(record, hits[record.pk]) for record in records]


# --- marketing spend --------------------------------------------------------------------------


def spend_entries(
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
) -> list[Spend]:
    """The workspace's spend entries from month ``start`` to month ``end`` (any day of them,
    both included), newest month first; ``channel`` matched folded ("google ads" finds
    "Google Ads")."""
    require(actor, "insights.view")
    qs = Spend.objects.for_workspace(actor.workspace).select_related("created_by")
    if start:
        qs = qs.filter(month__gte=start.replace(day=1))
    if end:
        qs = qs.filter(month__lte=end.replace(day=1))
    if channel:
        qs = qs.filter(channel_key=fold(channel))
    return list(qs.order_by("-month", "channel_key", "currency"))


def get_spend(actor: Actor, spend_id: int) -> Spend:
    require(actor, "insights.view")
    found = Spend.objects.for_workspace(actor.workspace).filter(pk=spend_id).first()
    if found is None:
        raise NotFound(_("No spend entry with id %(id)s.") % {"id": spend_id})
    return found


def spend_channels(actor: Actor, suggested: Iterable[Any] = ()) -> list[str]:
    """Channels to offer when entering spend: ``suggested``, those already entered and the
    sources of the workspace's people, each once (by folded form), sorted."""
    require(actor, "insights.view")
    seen: dict[str, str] = {}
    entered = Spend.objects.for_workspace(actor.workspace).values_list("channel", flat=True)
    sources = (
        Person.objects.for_workspace(actor.workspace)
        .filter(deleted_at__isnull=True)
        .exclude(source="")
        .order_by()
        .values_list("source", flat=True)
        .distinct()
    )
    for name in [*map(str, suggested), *entered, *sources]:
        seen.setdefault(fold(name), name)
    return sorted(seen.values(), key=fold)
