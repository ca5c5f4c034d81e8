"""Merge support for ``vinculo.quality.services.merge``: the merge moves a loser's relations onto
the survivor and its undo moves back exactly what moved, so every function returns (or takes)
the ids it touched. Callers hold the transaction and have checked permissions."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts.contract import ADDRESS_FIELDS
from vinculo.contacts.models import (
    Affiliation,
    Company,
    Consent,
    ConsentChange,
    LifecycleChange,
    Person,
)
from vinculo.contacts.services._common import check_document_unique, get_for_update
from vinculo.core.actor import Actor

PERSON_MERGE_FIELDS = (
    "first_name", "last_name", "email", "phone", "mobile_phone", "cpf", "job_title",
    "birth_date", "gender", "preferred_channel", "interests", *ADDRESS_FIELDS, "country",
    "owner_id", "source", "lifecycle_stage_id",
)  # fmt: skip

COMPANY_MERGE_FIELDS = (
    "name", "legal_name", "cnpj", "domain", "website", "industry", "employees",
    "annual_revenue", "email", "phone", "description", *ADDRESS_FIELDS, "country",
    "owner_id", "source", "lifecycle_stage_id",
)  # fmt: skip

_CONSENT_VALUES = ("status", "legal_basis", "method", "evidence", "changed_at")


def merge_fields_of(kind: str) -> tuple[str, ...]:
    """The standard fields a merge decides between (attribute names, ``*_id`` for links)."""
    return PERSON_MERGE_FIELDS if kind == "person" else COMPANY_MERGE_FIELDS


def _merge_model(kind: str) -> Any:
    return Person if kind == "person" else Company


def field_snapshot(record: Model, name: str) -> Any:
    """A field's value as JSON (dates ISO, decimals as text, links as ids): what a merge keeps."""
    value = getattr(record, name)
    return (
        value.isoformat()
        if hasattr(value, "isoformat")
        else (
            str(value) if value is not None and not isinstance(value, str | int | bool) else value
        )
    )


def _field_value(model: Any, name: str, value: Any) -> Any:
    field = model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    return None if value is None else field.to_python(value)


def absorb_record(
    *,
    actor: Actor,
    kind: str,
    survivor_id: int,
    loser_id: int,
    values: dict[str, Any],
    custom_fields: dict[str, Any],
) -> dict[str, Any]:
    """Merge the loser into the survivor on the contacts side: the loser goes to the bin (its
    CPF/CNPJ freed), the survivor takes ``values``/``custom_fields``, and tags (union),
    consents (the most recent statement per channel), consent history, affiliations and
    lifecycle history move over. Returns exactly what changed, for :func:`unabsorb_record`.

    Refuses records of other workspaces, binned records and a CPF/CNPJ taken by a third record.
    """
    model = _merge_model(kind)
    survivor = get_for_update(model, actor, survivor_id, _(kind), deleted=False)
    loser = get_for_update(model, actor, loser_id, _(kind), deleted=False)
    now = timezone.now()
    names = merge_fields_of(kind)
    before = {n: field_snapshot(survivor, n) for n in names}
    before_custom = dict(survivor.custom_fields or {})
    loser.deleted_at = now
    loser.save(update_fields=["deleted_at", "updated_at"])
    document = "cpf" if kind == "person" else "cnpj"
    for name, value in values.items():
        if name in names:
            setattr(survivor, name, _field_value(model, name, value))
    survivor.custom_fields = custom_fields
    check_document_unique(model, actor, document, getattr(survivor, document), survivor.pk)
    survivor.save()
    owner_key = f"{kind}_id"
    tags_added = sorted(
        set(loser.tags.values_list("pk", flat=True))
        - set(survivor.tags.values_list("pk", flat=True))
    )
    survivor.tags.add(*tags_added)
    moved: dict[str, Any] = {
        "survivor_before": before,
        "survivor_after": {n: field_snapshot(survivor, n) for n in names},
        "custom_before": before_custom,
        "custom_after": dict(custom_fields),
        "tags_added": tags_added,
    }
    lifecycle = list(
        LifecycleChange.objects.for_workspace(actor.workspace)
        .filter(**{owner_key: loser.pk})
        .values_list("pk", flat=True)
    )
    LifecycleChange.objects.filter(pk__in=lifecycle).update(**{owner_key: survivor.pk})
    moved["lifecycle_changes"] = lifecycle
    # A person already at that company (or a company already employing that person) keeps
    # its own link; the loser's copy stays on the binned loser, so nothing is lost.
    other = "company_id" if kind == "person" else "person_id"
    taken = set(
        Affiliation.objects.filter(**{owner_key: survivor.pk}).values_list(other, flat=True)
    )
    affiliations = [
        pk
        for pk, other_id in Affiliation.objects.for_workspace(actor.workspace)
        .filter(**{owner_key: loser.pk})
        .values_list("pk", other)
        if other_id not in taken
    ]
    Affiliation.objects.filter(pk__in=affiliations).update(**{owner_key: survivor.pk})
    moved["affiliations"] = affiliations
    if kind == "person":
        moved.update(_absorb_consents(actor, survivor, loser))
    return moved


def _absorb_consents(actor: Actor, survivor: Person, loser: Person) -> dict[str, Any]:
    current = {c.channel: c for c in Consent.objects.filter(person=survivor)}
    consents_moved: list[int] = []
    consents_replaced: dict[str, dict[str, Any]] = {}
    for consent in Consent.objects.for_workspace(actor.workspace).filter(person=loser):
        mine = current.get(consent.channel)
        if mine is None:
            consents_moved.append(consent.pk)
        elif consent.changed_at > mine.changed_at:
            # The loser's statement is the more recent one: it is the person's current will.
            consents_replaced[str(mine.pk)] = {n: field_snapshot(mine, n) for n in _CONSENT_VALUES}
            for name in _CONSENT_VALUES:
                setattr(mine, name, getattr(consent, name))
            mine.save()
    Consent.objects.filter(pk__in=consents_moved).update(person=survivor)
    changes = list(
        ConsentChange.objects.for_workspace(actor.workspace)
        .filter(person=loser)
        .values_list("pk", flat=True)
    )
    ConsentChange.objects.filter(pk__in=changes).update(person=survivor)
    return {
        "consents_moved": consents_moved,
        "consents_replaced": consents_replaced,
        "consent_changes": changes,
    }


def unabsorb_record(
    *, actor: Actor, kind: str, survivor_id: int, loser_id: int, moved: dict[str, Any]
) -> None:
    """Undo :func:`absorb_record`: move back exactly the rows that moved, restore the consents
    it replaced, take back the tags it added, put back the survivor's fields that still hold the
    merged value (later edits are kept) and bring the loser back from the bin.

    Refuses when the loser's CPF/CNPJ now belongs to another live record.
    """
    model = _merge_model(kind)
    survivor = get_for_update(model, actor, survivor_id, _(kind))
    loser = get_for_update(model, actor, loser_id, _(kind), deleted=True)
    owner_key = f"{kind}_id"
    ws = actor.workspace
    LifecycleChange.objects.for_workspace(ws).filter(
        pk__in=moved.get("lifecycle_changes", []), **{owner_key: survivor.pk}
    ).update(**{owner_key: loser.pk})
    Affiliation.objects.for_workspace(ws).filter(
        pk__in=moved.get("affiliations", []), **{owner_key: survivor.pk}
    ).update(**{owner_key: loser.pk})
    if kind == "person":
        Consent.objects.for_workspace(ws).filter(
            pk__in=moved.get("consents_moved", []), person=survivor
        ).update(person=loser)
        ConsentChange.objects.for_workspace(ws).filter(
            pk__in=moved.get("consent_changes", []), person=survivor
        ).update(person=loser)
        for pk, values in moved.get("consents_replaced", {}).items():
            consent = Consent.objects.for_workspace(ws).filter(pk=int(pk), person=survivor).first()
            if consent is not None:
                for name, value in values.items():
                    setattr(consent, name, _field_value(Consent, name, value))
                consent.save()
    survivor.tags.remove(*moved.get("tags_added", []))
    after = moved.get("survivor_after", {})
    for name, value in moved.get("survivor_before", {}).items():
        if field_snapshot(survivor, name) == after.get(name):
            setattr(survivor, name, _field_value(model, name, value))
    custom = dict(survivor.custom_fields or {})
    custom_after = moved.get("custom_after", {})
    custom_before = moved.get("custom_before", {})
    for key in set(custom_after) | set(custom_before):
        if custom.get(key) == custom_after.get(key):
            if key in custom_before:
                custom[key] = custom_before[key]
            else:
                custom.pop(key, None)
    survivor.custom_fields = custom
    survivor.save()
    document = "cpf" if kind == "person" else "cnpj"
    check_document_unique(model, actor, document, getattr(loser, document), loser.pk)
    loser.deleted_at = None
    loser.save(update_fields=["deleted_at", "updated_at"])
