"""Writes on people, companies, lifecycle stages, consent, tags and custom fields (C1, C2).

Every single-record service validates the whole input first and raises one
:class:`ValidationFailed` listing every bad field, so nothing is half-written. The bulk services
validate row by row against data loaded once per call (members, stages, tags, custom fields,
referenced companies), keep every good row and report the bad ones by index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.activities import timeline
from vinculo.contacts import custom_fields as cf
from vinculo.contacts.models import (
    Affiliation,
    Channel,
    Company,
    Consent,
    ConsentChange,
    ConsentMethod,
    ConsentStatus,
    CustomFieldDefinition,
    CustomObject,
    FieldType,
    JourneyPhase,
    LegalBasis,
    LifecycleChange,
    LifecycleStage,
    Person,
    Tag,
)
from vinculo.contacts.selectors import live_ids
from vinculo.contacts.tags import ensure_tags, fold, tag_name_taken
from vinculo.contacts.timeline_text import changed_fields, consent_labels
from vinculo.core import audit, events, validators
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult, RowError, live_ids_by_value
from vinculo.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    ValidationFailed,
    choice_error,
    collect,
    raise_if_any,
)
from vinculo.core.fastinsert import insert_objects, insert_rows, new_instances
from vinculo.core.validators import clean_long_text as long_text
from vinculo.workspaces.permissions import require
from vinculo.workspaces.selectors import active_member_ids

DEFAULT_LIFECYCLE = [
    (
        "subscriber",
        "Assinante",
        JourneyPhase.AWARENESS,
        "Assina a newsletter ou o blog; ainda não demonstrou interesse de compra.",
    ),
    (
        "lead",
        "Lead",
        JourneyPhase.CONSIDERATION,
        "Deixou os dados em troca de algo (material, evento) e pode ser trabalhado.",
    ),
    (
        "mql",
        "MQL",
        JourneyPhase.CONSIDERATION,
        "Lead qualificado pelo marketing: perfil e engajamento indicam potencial.",
    ),
    ("sql", "SQL", JourneyPhase.DECISION, "Lead aceito por vendas para abordagem direta."),
    (
        "opportunity",
        "Oportunidade",
        JourneyPhase.DECISION,
        "Há um negócio aberto com esta pessoa ou empresa.",
    ),
    ("customer", "Cliente", JourneyPhase.GROWTH, "Comprou ao menos uma vez."),
    ("advocate", "Promotor", JourneyPhase.ADVOCACY, "Cliente que indica e defende a marca."),
]

# Computed once: ``TextChoices.values`` builds a new list on every access (hot in bulk paths).
CHANNELS = tuple(Channel.values)
CONSENT_STATUSES = tuple(ConsentStatus.values)
LEGAL_BASES = tuple(LegalBasis.values)
CONSENT_METHODS = tuple(ConsentMethod.values)

ADDRESS_FIELDS = ("street", "number", "complement", "district", "city", "state", "postal_code")

PERSON_TEXT_FIELDS = {
    "first_name": 100,
    "last_name": 100,
    "job_title": 100,
    "gender": 30,
    "source": 60,
    **dict.fromkeys(ADDRESS_FIELDS[:-1], 200),
}
COMPANY_TEXT_FIELDS = {
    "name": 200,
    "legal_name": 200,
    "industry": 100,
    "source": 60,
    **dict.fromkeys(ADDRESS_FIELDS[:-1], 200),
}


# --- lifecycle stages -----------------------------------------------------------------------


def ensure_lifecycle_stages(*, actor: Actor) -> list[LifecycleStage]:
    """The workspace's lifecycle stages, creating the default seven on first use."""
    stages = list(LifecycleStage.objects.for_workspace(actor.workspace))
    if stages:
        return stages
    with transaction.atomic():
        LifecycleStage.objects.bulk_create(
            [
                LifecycleStage(
                    workspace=actor.workspace,
                    key=key,
                    name=name,
                    phase=phase,
                    description=description,
                    position=i,
                )
                for i, (key, name, phase, description) in enumerate(DEFAULT_LIFECYCLE)
            ],
            ignore_conflicts=True,
        )
    return list(LifecycleStage.objects.for_workspace(actor.workspace))


def create_lifecycle_stage(*, actor: Actor, data: dict[str, Any]) -> LifecycleStage:
    """Add a stage to the workspace's lifecycle (its glossary: what the stage means here)."""
    require(actor, "settings.manage")
    ensure_lifecycle_stages(actor=actor)
    errors: list[FieldError] = []
    key = validators.clean_name(data.get("key"), "key", required=False, max_length=40)
    name = collect(
        errors, validators.clean_name, data.get("name"), "name", required=True, max_length=60
    )
    from django.utils.text import slugify

    key = slugify(key or name or "").replace("-", "_")[:40]
    if not key:
        errors.append(FieldError("key", _("This field is required."), "required"))
    elif LifecycleStage.objects.for_workspace(actor.workspace).filter(key=key).exists():
        errors.append(FieldError("key", _("A stage with this key exists."), "unique"))
    phase = data.get("phase") or JourneyPhase.CONSIDERATION
    if phase not in JourneyPhase.values:
        errors.append(choice_error("phase", phase, JourneyPhase.values))
    description = collect(errors, long_text, data.get("description"), "description") or ""
    raise_if_any(errors)
    with transaction.atomic():
        position = data.get("position")
        if position is None:
            position = LifecycleStage.objects.for_workspace(actor.workspace).count()
        stage = LifecycleStage.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            key=key,
            name=name,
            phase=phase,
            description=description,
            position=int(position),
        )
        audit.record(actor, "lifecycle_stage.created", stage)
        events.emit("lifecycle_stage.updated", actor=actor, subject=stage, payload={"key": key})
    return stage


def update_lifecycle_stage(*, actor: Actor, stage_id: int, data: dict[str, Any]) -> LifecycleStage:
    """Rename, redefine, re-phase, reorder or (de)activate a stage; its key never changes."""
    require(actor, "settings.manage")
    with transaction.atomic():
        stage = _get_for_update(LifecycleStage, actor, stage_id, _("lifecycle stage"))
        errors: list[FieldError] = []
        before = {
            "name": stage.name,
            "description": stage.description,
            "phase": stage.phase,
            "position": stage.position,
            "is_active": stage.is_active,
        }
        if "name" in data:
            stage.name = (
                collect(
                    errors,
                    validators.clean_name,
                    data["name"],
                    "name",
                    required=True,
                    max_length=60,
                )
                or stage.name
            )
        if "description" in data:
            stage.description = collect(errors, long_text, data["description"], "description")
        if "phase" in data:
            if data["phase"] not in JourneyPhase.values:
                errors.append(choice_error("phase", data["phase"], JourneyPhase.values))
            else:
                stage.phase = data["phase"]
        if "position" in data and data["position"] is not None:
            stage.position = int(data["position"])
        if "is_active" in data and data["is_active"] is not None:
            stage.is_active = bool(data["is_active"])
        raise_if_any(errors)
        stage.save()
        after = {k: getattr(stage, k) for k in before}
        audit.record(actor, "lifecycle_stage.updated", stage, changes=audit.diff(before, after))
        events.emit(
            "lifecycle_stage.updated", actor=actor, subject=stage, payload={"key": stage.key}
        )
    return stage


def reorder_lifecycle_stages(*, actor: Actor, stage_ids: list[int]) -> list[LifecycleStage]:
    """Put the workspace's lifecycle stages in the order of ``stage_ids`` (all of them, once)."""
    require(actor, "settings.manage")
    with transaction.atomic():
        stages = {
            s.pk: s
            for s in LifecycleStage.objects.for_workspace(actor.workspace).select_for_update()
        }
        if sorted(stage_ids) != sorted(stages) or len(set(stage_ids)) != len(stage_ids):
            raise ValidationFailed.field(
                "stage_ids",
                _("Send every lifecycle stage id of this workspace exactly once."),
                "invalid_order",
            )
        before = [s.key for s in sorted(stages.values(), key=lambda s: (s.position, s.pk))]
        for position, pk in enumerate(stage_ids):
            stages[pk].position = position
        LifecycleStage.objects.bulk_update(list(stages.values()), ["position"])
        after = [stages[pk].key for pk in stage_ids]
        if before != after:
            audit.record(
                actor,
                "lifecycle_stage.reordered",
                object_type="contacts.lifecyclestage",
                changes={"order": [before, after]},
            )
            events.emit(
                "lifecycle_stage.updated",
                actor=actor,
                subject_type="lifecyclestage",
                payload={"order": after},
            )
    return [stages[pk] for pk in stage_ids]


# --- custom fields --------------------------------------------------------------------------


def _clean_choices(raw: Any, errors: list[FieldError]) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("choices", _("Give at least one choice."), "required"))
        return []
    result: list[dict[str, str]] = []
    for i, item in enumerate(raw):
        value = item.get("value") if isinstance(item, dict) else item
        label = item.get("label", value) if isinstance(item, dict) else item
        value = str(value or "").strip()
        if not value:
            errors.append(FieldError(f"choices.{i}", _("A choice needs a value."), "required"))
            continue
        if value in {c["value"] for c in result}:
            errors.append(FieldError(f"choices.{i}", _("Repeated choice."), "unique"))
            continue
        result.append({"value": value, "label": str(label or value).strip()})
    return result


def create_custom_field(*, actor: Actor, data: dict[str, Any]) -> CustomFieldDefinition:
    """Define a typed field for people, companies or deals; refuses a taken key, bad choices,
    or ``identifier`` (duplicate detection compares the field) on a deal field or a type that
    cannot hold a customer's number or code."""
    require(actor, "settings.manage")
    from django.utils.text import slugify

    errors: list[FieldError] = []
    object_type = data.get("object_type")
    if object_type not in CustomObject.values:
        errors.append(choice_error("object_type", object_type, CustomObject.values))
    label = collect(
        errors, validators.clean_name, data.get("label"), "label", required=True, max_length=100
    )
    key = slugify(str(data.get("key") or label or "")).replace("-", "_")[:50]
    if not key:
        if label or data.get("key"):
            errors.append(FieldError("key", _("Use letters or digits in the key."), "invalid"))
    elif not key[0].isalpha():
        errors.append(FieldError("key", _("The key must start with a letter."), "invalid"))
    elif (
        CustomFieldDefinition.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type, key=key)
        .exists()
    ):
        errors.append(FieldError("key", _("A field with this key exists."), "unique"))
    field_type = data.get("field_type")
    if field_type not in FieldType.values:
        errors.append(choice_error("field_type", field_type, FieldType.values))
    choices: list[dict[str, str]] = []
    if field_type in {FieldType.CHOICE, FieldType.MULTI_CHOICE}:
        choices = _clean_choices(data.get("choices"), errors)
    identifier = bool(data.get("identifier"))
    if identifier and object_type in CustomObject.values and field_type in FieldType.values:
        refused = cf.identifier_error(str(object_type), str(field_type))
        if refused:
            errors.append(refused)
    raise_if_any(errors)
    with transaction.atomic():
        position = (
            CustomFieldDefinition.objects.for_workspace(actor.workspace)
            .filter(object_type=object_type)
            .count()
        )
        definition = CustomFieldDefinition.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            object_type=object_type,
            key=key,
            label=label,
            field_type=field_type,
            required=bool(data.get("required")),
            unique=bool(data.get("unique")),
            identifier=identifier,
            choices=choices,
            help_text=str(data.get("help_text") or "")[:200],
            position=position,
        )
        audit.record(actor, "custom_field.created", definition)
        events.emit(
            "custom_field.created",
            actor=actor,
            subject=definition,
            payload={"object_type": object_type, "key": key, "field_type": field_type},
        )
    return definition


@dataclass
class DefinitionChange:
    definition: CustomFieldDefinition
    nonconforming: int  # stored values that do not fit the (new) type; kept as they are


def update_custom_field(*, actor: Actor, field_id: int, data: dict[str, Any]) -> DefinitionChange:
    """Relabel, retype, re-choice, reorder, archive or restore a custom field, or mark it as an
    identifier (refused as on creation).

    Stored values are never rewritten or dropped: a value that no longer fits (a removed choice,
    a new type) stays stored and is counted in ``nonconforming``; it must be fixed only when the
    field is next edited on that record.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        definition = _get_for_update(CustomFieldDefinition, actor, field_id, _("custom field"))
        before = {
            k: getattr(definition, k)
            for k in (
                "label",
                "field_type",
                "required",
                "unique",
                "identifier",
                "choices",
                "help_text",
                "position",
                "archived_at",
            )
        }
        errors: list[FieldError] = []
        if "label" in data:
            definition.label = (
                collect(
                    errors,
                    validators.clean_name,
                    data["label"],
                    "label",
                    required=True,
                    max_length=100,
                )
                or definition.label
            )
        if "field_type" in data and data["field_type"] is not None:
            if data["field_type"] not in FieldType.values:
                errors.append(choice_error("field_type", data["field_type"], FieldType.values))
            else:
                definition.field_type = data["field_type"]
        for flag in ("required", "unique", "identifier"):
            if flag in data and data[flag] is not None:
                setattr(definition, flag, bool(data[flag]))
        if definition.identifier:
            refused = cf.identifier_error(definition.object_type, definition.field_type)
            if refused:
                errors.append(refused)
        if "help_text" in data:
            definition.help_text = str(data["help_text"] or "")[:200]
        if "position" in data and data["position"] is not None:
            definition.position = int(data["position"])
        if "archived" in data and data["archived"] is not None:
            definition.archived_at = timezone.now() if data["archived"] else None
        choice_type = definition.field_type in {FieldType.CHOICE, FieldType.MULTI_CHOICE}
        if choice_type and ("choices" in data or not definition.choices):
            definition.choices = _clean_choices(data.get("choices"), errors)
        raise_if_any(errors)
        definition.save()
        after = {k: getattr(definition, k) for k in before}
        changes = audit.diff(before, after)
        audit.record(actor, "custom_field.updated", definition, changes=changes)
        events.emit(
            "custom_field.updated",
            actor=actor,
            subject=definition,
            payload={"changed": sorted(changes)},
        )
    return DefinitionChange(definition, count_nonconforming(actor, definition))


def count_nonconforming(actor: Actor, definition: CustomFieldDefinition) -> int:
    """How many stored values of ``definition`` do not pass its current validation."""
    model = _custom_model(definition.object_type)
    key = definition.key
    bad = 0
    rows = (
        model.objects.for_workspace(actor.workspace)
        .filter(**{"custom_fields__has_key": key})
        .values_list("custom_fields", flat=True)
    )
    for values in rows.iterator(chunk_size=2000):
        try:
            cf.clean_value(definition, values.get(key))
        except ValidationFailed:
            bad += 1
    return bad


def _custom_model(object_type: str) -> Any:
    if object_type == CustomObject.PERSON:
        return Person
    if object_type == CustomObject.COMPANY:
        return Company
    from vinculo.sales.models import Deal

    return Deal


# --- tags -----------------------------------------------------------------------------------


def update_tag(*, actor: Actor, tag_id: int, data: dict[str, Any]) -> Tag:
    """Rename or recolour a tag (names stay unique, case-insensitively)."""
    require(actor, "records.write")
    with transaction.atomic():
        tag = _get_for_update(Tag, actor, tag_id, _("tag"))
        errors: list[FieldError] = []
        before = {"name": tag.name, "color": tag.color}
        if "name" in data:
            name = collect(
                errors, validators.clean_name, data["name"], "name", required=True, max_length=50
            )
            if name and tag_name_taken(actor.workspace, name, exclude_pk=tag.pk):
                errors.append(FieldError("name", _("A tag with this name exists."), "unique"))
            tag.name = name or tag.name
        if "color" in data:
            color = str(data["color"] or "")
            if len(color) != 7 or not color.startswith("#"):
                errors.append(FieldError("color", _("Use a colour like #1e88e5."), "invalid"))
            tag.color = color
        raise_if_any(errors)
        tag.save()
        audit.record(
            actor,
            "tag.updated",
            tag,
            changes=audit.diff(before, {"name": tag.name, "color": tag.color}),
        )
    return tag


def delete_tag(*, actor: Actor, tag_id: int) -> None:
    """Remove a tag from every record and delete it."""
    require(actor, "records.delete")
    with transaction.atomic():
        tag = _get_for_update(Tag, actor, tag_id, _("tag"))
        audit.record(actor, "tag.deleted", tag)
        tag.delete()


# --- shared cleaning ------------------------------------------------------------------------


class Context:
    """What validating a batch of rows needs, loaded once: members, stages, tags, fields."""

    def __init__(self, actor: Actor, object_type: str) -> None:
        self.actor = actor
        self.workspace = actor.workspace
        self.region = (actor.workspace.country or "BR").upper()
        self.stages = {s.key: s for s in ensure_lifecycle_stages(actor=actor)}
        self.defs = cf.definitions(actor, object_type)
        self._tags: dict[str, Tag] = {}
        self._companies: dict[int, bool] = {}
        from vinculo.quality.services.rules import checker  # entry rules, loaded once per call

        self.rules = checker(actor, object_type)

    @cached_property
    def member_ids(self) -> set[int]:
        """Loaded on first use: most batches (imports, leads from events) name no owner."""
        return active_member_ids(self.workspace)

    def resolve_tags(self, names: list[str]) -> list[Tag]:
        """Tags by name (case-insensitive), the missing ones created; cached for the batch."""
        wanted = [n for n in names if fold(n) not in self._tags]
        if wanted:
            self._tags.update(ensure_tags(self.actor, wanted))
        return [self._tags[fold(n)] for n in names if fold(n) in self._tags]

    def load_companies(self, ids: Iterable[Any]) -> None:
        wanted = {i for i in ids if isinstance(i, int) and i not in self._companies}
        if wanted:
            live = live_ids(self.workspace, Company, wanted)
            self._companies.update({i: i in live for i in wanted})

    def company_exists(self, company_id: int) -> bool:
        self.load_companies([company_id])
        return self._companies.get(company_id, False)


def _clean_owner(ctx: Context, value: Any, errors: list[FieldError]) -> int | None:
    if value is None or value == "":
        return None
    try:
        owner_id = int(value)
    except (TypeError, ValueError):
        owner_id = -1
    if owner_id not in ctx.member_ids:
        errors.append(
            FieldError(
                "owner_id",
                _("The owner must be an active member of this workspace."),
                "invalid_owner",
            )
        )
        return None
    return owner_id


def _clean_tags(value: Any, errors: list[FieldError]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError("tags", _("Send a list of tag names."), "invalid_type"))
        return []
    names: dict[str, str] = {}
    for i, raw in enumerate(value):
        name = (
            validators.clean_name(raw, f"tags.{i}", max_length=50) if isinstance(raw, str) else ""
        )
        if not name:
            errors.append(FieldError(f"tags.{i}", _("A tag needs a name."), "invalid"))
            continue
        names.setdefault(fold(name), name)
    return list(names.values())


def _clean_stage(ctx: Context, value: Any, errors: list[FieldError]) -> LifecycleStage | None:
    if value is None or value == "":
        return None
    stage = ctx.stages.get(str(value))
    if stage is None:
        errors.append(choice_error("lifecycle_stage", value, ctx.stages))
    return stage


def _clean_address(
    data: dict[str, Any], fields: dict[str, Any], errors: list[FieldError], limits: dict[str, int]
) -> None:
    for name in ADDRESS_FIELDS:
        if name in data:
            if name == "postal_code":
                fields[name] = (
                    collect(errors, validators.clean_name, data[name], name, max_length=20) or ""
                )
            else:
                fields[name] = (
                    collect(
                        errors,
                        validators.clean_name,
                        data[name],
                        name,
                        max_length=limits.get(name, 200),
                    )
                    or ""
                )
    if "country" in data:
        country = str(data["country"] or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            errors.append(
                FieldError("country", _("Use a two-letter country code (BR)."), "invalid")
            )
        fields["country"] = country


def _clean_created_at(
    data: dict[str, Any], fields: dict[str, Any], errors: list[FieldError]
) -> None:
    """Imports may carry the record's historical creation time (never in the future)."""
    if data.get("created_at") in (None, ""):
        return
    moment = collect(errors, validators.clean_datetime, data["created_at"], "created_at")
    if moment and moment > timezone.now() + timedelta(minutes=5):
        errors.append(FieldError("created_at", _("Cannot be in the future."), "invalid"))
    elif moment:
        fields["created_at"] = moment


PERSON_KEYS = frozenset(
    {
        *PERSON_TEXT_FIELDS,
        *ADDRESS_FIELDS,
        "country",
        "email",
        "phone",
        "mobile_phone",
        "cpf",
        "birth_date",
        "preferred_channel",
        "interests",
        "owner_id",
        "lifecycle_stage",
        "tags",
        "companies",
        "consents",
        "custom_fields",
        "created_at",
    }
)
COMPANY_KEYS = frozenset(
    {
        *COMPANY_TEXT_FIELDS,
        *ADDRESS_FIELDS,
        "country",
        "cnpj",
        "email",
        "phone",
        "website",
        "domain",
        "employees",
        "annual_revenue",
        "description",
        "owner_id",
        "lifecycle_stage",
        "tags",
        "custom_fields",
        "created_at",
    }
)


def _unknown_keys(data: dict[str, Any], allowed: frozenset[str], errors: list[FieldError]) -> None:
    for key in data:
        if key not in allowed:
            errors.append(FieldError(str(key), _("Unknown field."), "unknown_field"))


@dataclass
class Cleaned:
    fields: dict[str, Any]
    tags: list[str] | None = None
    companies: list[dict[str, Any]] | None = None
    consents: list[dict[str, Any]] | None = None
    stage: LifecycleStage | None = None
    stage_given: bool = False


def _clean_consents(value: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError("consents", _("Send a list of consents."), "invalid_type"))
        return []
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append(FieldError(f"consents.{i}", _("Send an object."), "invalid_type"))
            continue
        try:
            result.append(clean_consent(item, prefix=f"consents.{i}."))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    return result


def clean_consent(data: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Validate one consent statement (channel, status, legal basis, method, evidence)."""
    errors: list[FieldError] = []
    for name, allowed in (
        ("channel", CHANNELS),
        ("status", CONSENT_STATUSES),
        ("legal_basis", LEGAL_BASES),
        ("method", CONSENT_METHODS),
    ):
        if data.get(name) not in allowed:
            errors.append(choice_error(prefix + name, data.get(name), allowed))
    if (
        data.get("status") == ConsentStatus.OPTED_IN
        and data.get("legal_basis") == "consent"
        and not str(data.get("evidence") or "").strip()
        and data.get("method") in {ConsentMethod.VERBAL, ConsentMethod.WRITTEN}
    ):
        errors.append(
            FieldError(
                prefix + "evidence", _("Record how the person consented (LGPD art. 8)."), "required"
            )
        )
    evidence = collect(errors, long_text, data.get("evidence"), prefix + "evidence") or ""
    changed_at = None
    if data.get("changed_at"):
        changed_at = collect(
            errors, validators.clean_datetime, data["changed_at"], prefix + "changed_at"
        )
    raise_if_any(errors)
    return {
        "channel": data["channel"],
        "status": data["status"],
        "legal_basis": data["legal_basis"],
        "method": data["method"],
        "evidence": evidence,
        "changed_at": changed_at or timezone.now(),
    }


def _clean_head(
    data: dict[str, Any],
    allowed: frozenset[str],
    texts: dict[str, int],
    required: str,
    creating: bool,
    errors: list[FieldError],
) -> dict[str, Any]:
    """Unknown keys refused by name; the plain text fields trimmed (``required`` on create)."""
    _unknown_keys(data, allowed, errors)
    fields: dict[str, Any] = {}
    for name, limit in texts.items():
        if name in ADDRESS_FIELDS:
            continue
        if name in data or (creating and name == required):
            fields[name] = (
                collect(
                    errors,
                    validators.clean_name,
                    data.get(name),
                    name,
                    required=name == required,
                    max_length=limit,
                )
                or ""
            )
    return fields


def _clean_tail(
    ctx: Context,
    data: dict[str, Any],
    fields: dict[str, Any],
    texts: dict[str, int],
    model: type[Person] | type[Company],
    instance: Person | Company | None,
    errors: list[FieldError],
) -> Cleaned:
    """What people and companies share: owner, address, import time, stage, tags, custom fields."""
    if "owner_id" in data:
        fields["owner_id"] = _clean_owner(ctx, data["owner_id"], errors)
    _clean_address(data, fields, errors, texts)
    if instance is None:
        _clean_created_at(data, fields, errors)
    cleaned = Cleaned(fields)
    if "lifecycle_stage" in data:
        cleaned.stage_given = True
        cleaned.stage = _clean_stage(ctx, data["lifecycle_stage"], errors)
    if "tags" in data:
        cleaned.tags = _clean_tags(data["tags"], errors)
    if "custom_fields" in data or instance is None:
        values, cf_errors = cf.clean_custom_fields(
            ctx.actor,
            CustomObject.PERSON if model is Person else CustomObject.COMPANY,
            data.get("custom_fields"),
            current=instance.custom_fields if instance else None,
            model=model,
            instance_pk=instance.pk if instance else None,
            defs=ctx.defs,
        )
        errors.extend(cf_errors)
        fields["custom_fields"] = values
    stage = {"lifecycle_stage": cleaned.stage} if cleaned.stage_given else {}
    ctx.rules.check(fields, data=data, creating=instance is None, errors=errors, extra=stage)
    return cleaned


def clean_person(ctx: Context, data: dict[str, Any], *, instance: Person | None = None) -> Cleaned:
    """Validate person input (a full row, or a patch when ``instance`` is given)."""
    errors: list[FieldError] = []
    creating = instance is None
    fields = _clean_head(data, PERSON_KEYS, PERSON_TEXT_FIELDS, "first_name", creating, errors)
    if "email" in data:
        fields["email"] = collect(errors, validators.clean_email, data["email"], "email") or ""
    for name in ("phone", "mobile_phone"):
        if name in data:
            fields[name] = (
                collect(errors, validators.clean_phone, data[name], name, region=ctx.region) or ""
            )
    if "cpf" in data:
        fields["cpf"] = collect(errors, validators.clean_cpf, data["cpf"], "cpf") or ""
    if "birth_date" in data:
        birth = collect(errors, validators.clean_date, data["birth_date"], "birth_date")
        if birth and birth > timezone.localdate():
            errors.append(FieldError("birth_date", _("Cannot be in the future."), "invalid"))
        fields["birth_date"] = birth
    if "preferred_channel" in data:
        channel = data["preferred_channel"] or ""
        if channel and channel not in CHANNELS:
            errors.append(choice_error("preferred_channel", channel, CHANNELS))
        fields["preferred_channel"] = channel
    if "interests" in data:
        fields["interests"] = collect(errors, long_text, data["interests"], "interests") or ""
    cleaned = _clean_tail(ctx, data, fields, PERSON_TEXT_FIELDS, Person, instance, errors)
    if "companies" in data:
        cleaned.companies = _clean_affiliations(ctx, data["companies"], errors)
    if "consents" in data:
        cleaned.consents = _clean_consents(data["consents"], errors)
    raise_if_any(errors)
    return cleaned


def _clean_affiliations(ctx: Context, value: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError("companies", _("Send a list of companies."), "invalid_type"))
        return []
    result: list[dict[str, Any]] = []
    seen: set[int] = set()
    ctx.load_companies(item.get("company_id") for item in value if isinstance(item, dict))
    for i, item in enumerate(value):
        field = f"companies.{i}.company_id"
        if not isinstance(item, dict) or not isinstance(item.get("company_id"), int):
            errors.append(FieldError(field, _("Give the company's id."), "required"))
            continue
        company_id = item["company_id"]
        if not ctx.company_exists(company_id):
            errors.append(
                FieldError(
                    field,
                    _("No company with id %(id)s in this workspace.") % {"id": company_id},
                    "not_found",
                )
            )
            continue
        if company_id in seen:
            continue
        seen.add(company_id)
        role = (
            collect(
                errors,
                validators.clean_name,
                item.get("role"),
                f"companies.{i}.role",
                max_length=100,
            )
            or ""
        )
        result.append(
            {"company_id": company_id, "role": role, "is_primary": bool(item.get("is_primary"))}
        )
    if result and not any(a["is_primary"] for a in result):
        result[0]["is_primary"] = True
    return result


def clean_company(
    ctx: Context, data: dict[str, Any], *, instance: Company | None = None
) -> Cleaned:
    """Validate company input (a full row, or a patch when ``instance`` is given)."""
    errors: list[FieldError] = []
    creating = instance is None
    fields = _clean_head(data, COMPANY_KEYS, COMPANY_TEXT_FIELDS, "name", creating, errors)
    if "cnpj" in data:
        fields["cnpj"] = collect(errors, validators.clean_cnpj, data["cnpj"], "cnpj") or ""
    if "email" in data:
        fields["email"] = collect(errors, validators.clean_email, data["email"], "email") or ""
    if "phone" in data:
        fields["phone"] = (
            collect(errors, validators.clean_phone, data["phone"], "phone", region=ctx.region) or ""
        )
    if "website" in data:
        fields["website"] = collect(errors, validators.clean_url, data["website"], "website") or ""
    if "domain" in data:
        domain = str(data["domain"] or "").strip().lower().removeprefix("www.")
        if domain and ("." not in domain or " " in domain or "/" in domain):
            errors.append(FieldError("domain", _("Use a domain like empresa.com.br."), "invalid"))
        fields["domain"] = domain
    elif creating and fields.get("website"):
        from urllib.parse import urlparse

        fields["domain"] = (urlparse(fields["website"]).hostname or "").removeprefix("www.")
    if "employees" in data:
        employees = data["employees"]
        if employees in (None, ""):
            fields["employees"] = None
        elif isinstance(employees, bool) or not str(employees).isdigit():
            errors.append(FieldError("employees", _("Enter a whole number ≥ 0."), "invalid"))
        else:
            fields["employees"] = int(employees)
    if "annual_revenue" in data:
        fields["annual_revenue"] = collect(
            errors,
            validators.clean_decimal,
            data["annual_revenue"],
            "annual_revenue",
            places=2,
            max_digits=16,
            minimum=0,
        )
    if "description" in data:
        fields["description"] = collect(errors, long_text, data["description"], "description")
    cleaned = _clean_tail(ctx, data, fields, COMPANY_TEXT_FIELDS, Company, instance, errors)
    raise_if_any(errors)
    return cleaned


def _check_document_unique(
    model: type[Model], actor: Actor, field: str, value: str, exclude_pk: int | None = None
) -> None:
    if not value:
        return
    clash = model._default_manager.filter(
        workspace=actor.workspace, deleted_at__isnull=True, **{field: value}
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    other = clash.first()
    if other is not None:
        raise Conflict(
            _("%(doc)s already belongs to %(name)s (id %(id)s).")
            % {"doc": field.upper(), "name": other, "id": other.pk},
            errors=[
                FieldError(
                    field, _("Another record has this %(doc)s.") % {"doc": field.upper()}, "unique"
                )
            ],
        )


def _display_name(obj: Person | Company) -> str:
    return obj.full_name if isinstance(obj, Person) else obj.name


# --- people ---------------------------------------------------------------------------------


def create_person(*, actor: Actor, data: dict[str, Any]) -> Person:
    """Add a person; refuses bad emails, phones, CPFs, custom values, owners or companies."""
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.PERSON)
    cleaned = clean_person(ctx, data)
    with transaction.atomic():
        _check_document_unique(Person, actor, "cpf", cleaned.fields.get("cpf", ""))
        ctx.rules.check_unique(cleaned.fields)
        result = _insert_records(ctx, Person, [cleaned], single=True)
    return result[0]


def bulk_create_people(
    *, actor: Actor, rows: list[dict[str, Any]], max_rows: int | None = MAX_BULK_ROWS
) -> BulkResult[Person]:
    """Create many people at once (API bulk, imports, seeding): good rows are kept, each bad
    row is reported with its index and field errors. ``max_rows=None`` lifts the cap."""
    require(actor, "records.write")
    _check_bulk_size(rows, max_rows)
    ctx = Context(actor, CustomObject.PERSON)
    # One query per 900 referenced companies for the whole call, not one per row.
    ctx.load_companies(
        link.get("company_id")
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("companies"), list)
        for link in row["companies"]
        if isinstance(link, dict)
    )
    return _bulk_create(ctx, rows, clean_person, Person, "cpf")


def _bulk_create(
    ctx: Context,
    rows: list[Any],
    clean: Any,
    model: type[Person] | type[Company],
    document: str,
) -> BulkResult[Any]:
    """Validate every row, refuse documents (CPF/CNPJ) repeated in the batch or already taken,
    insert the rest in bulk with one audit entry."""
    result: BulkResult[Any] = BulkResult()
    good: list[tuple[int, Cleaned]] = []
    first_row: dict[str, int] = {}
    label = document.upper()
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            result.errors.append(
                RowError(index, [FieldError("", _("Send an object."), "invalid_type")])
            )
            continue
        try:
            cleaned = clean(ctx, row)
        except ValidationFailed as exc:
            result.errors.append(RowError(index, exc.errors))
            continue
        value = cleaned.fields.get(document)
        if value:
            if value in first_row:
                message = _("Same %(doc)s as row %(row)s.") % {
                    "doc": label,
                    "row": first_row[value],
                }
                result.errors.append(RowError(index, [FieldError(document, message, "unique")]))
                continue
            first_row[value] = index
        good.append((index, cleaned))
    good = ctx.rules.keep_unique(good, result.errors, lambda cleaned: cleaned.fields)
    taken = _existing_values(model, ctx.actor, document, list(first_row))
    keep = []
    for index, cleaned in good:
        if cleaned.fields.get(document) in taken:
            message = _("Another record has this %(doc)s.") % {"doc": label}
            result.errors.append(RowError(index, [FieldError(document, message, "unique")]))
        else:
            keep.append(cleaned)
    with transaction.atomic():
        result.created = _insert_records(ctx, model, keep, single=False)
        if result.created or result.errors:
            audit.record(
                ctx.actor,
                f"{_kind(model)}.bulk_created",
                object_type=model._meta.label_lower,
                changes={"created": len(result.created), "refused": len(result.errors)},
            )
    result.errors.sort(key=lambda e: e.index)
    return result


def _check_bulk_size(rows: Any, max_rows: int | None) -> None:
    if not isinstance(rows, list):
        raise ValidationFailed.field("rows", _("Send a list of rows."), "invalid_type")
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed.field(
            "rows", _("At most %(n)s rows per call.") % {"n": max_rows}, "too_many"
        )


def _existing_values(model: type[Model], actor: Actor, field: str, values: list[str]) -> set[str]:
    return set(live_ids_by_value(model, actor.workspace.pk, field, values))


def _insert_records(
    ctx: Context, model: type[Person] | type[Company], rows: list[Cleaned], *, single: bool
) -> list[Any]:
    """Insert freshly validated people or companies with their relations, one "created" timeline
    entry each and their domain events (``single``: one save with a full audit entry)."""
    actor = ctx.actor
    kind = _kind(model)
    now = timezone.now()
    user_id = actor.user.pk if actor.user else None
    if single:
        records = [model(workspace=actor.workspace, created_by=actor.user, **rows[0].fields)]
    else:
        records = new_instances(
            model,
            (c.fields for c in rows),
            workspace_id=actor.workspace.pk,
            created_by_id=user_id,
            created_at=now,
        )
    for record, cleaned in zip(records, rows, strict=True):
        if record.owner_id is None and "owner_id" not in cleaned.fields and user_id:
            record.owner_id = user_id
        if cleaned.stage is not None:
            record.lifecycle_stage = cleaned.stage
            record.lifecycle_changed_at = cleaned.fields.get("created_at", now)
    if single:
        records[0].save()
    else:
        records = insert_objects(records)
    _write_relations(ctx, model, records, rows)
    timeline.record_many(
        actor,
        [
            timeline.PendingEntry(
                kind=f"{kind}.created",
                summary=gettext_noop("%(name)s was added"),
                params={"name": _display_name(r)},
                data={"source": r.source} if r.source else {},
                occurred_at=r.created_at,
                person=r.pk if kind == "person" else None,
                company=r.pk if kind == "company" else None,
            )
            for r in records
        ],
    )
    if single:
        audit.record(actor, f"{kind}.created", records[0])
        events.emit(
            f"{kind}.created", actor=actor, subject=records[0], payload=_created_payload(records[0])
        )
    else:
        events.emit_many(
            f"{kind}.created",
            actor=actor,
            subjects=[(kind, r.pk, _created_payload(r)) for r in records],
        )
    return records


def _kind(model: type[Person] | type[Company]) -> str:
    return "person" if model is Person else "company"


def _created_payload(record: Person | Company) -> dict[str, Any]:
    if isinstance(record, Person):
        return {"name": record.full_name, "email": record.email}
    return {"name": record.name, "cnpj": record.cnpj}


def _write_relations(
    ctx: Context, model: type[Person] | type[Company], records: list[Any], rows: list[Cleaned]
) -> None:
    """Tags, affiliations, consents and first lifecycle entries of freshly inserted records.

    The records are new, so no link can exist yet: rows go straight in as tuples (a 100,000-row
    import would otherwise build several hundred thousand model instances).
    """
    actor = ctx.actor
    is_person = model is Person
    all_tags = list(dict.fromkeys(name for c in rows for name in (c.tags or [])))  # file order
    tag_by_name = {t.name_key: t.pk for t in ctx.resolve_tags(all_tags)} if all_tags else {}
    owner_key = "person_id" if is_person else "company_id"
    now = timezone.now()
    base = (actor.workspace.pk, now, now, actor.user.pk if actor.user else None)
    base_columns = ["workspace_id", "created_at", "updated_at", "created_by_id"]
    tag_rows: list[tuple[Any, ...]] = []
    lifecycle_rows: list[tuple[Any, ...]] = []
    affiliation_rows: list[tuple[Any, ...]] = []
    consent_rows: list[tuple[Any, ...]] = []
    consent_changes: list[tuple[Any, ...]] = []
    consent_keys = ("channel", "status", "legal_basis", "method", "evidence", "changed_at")
    for record, cleaned in zip(records, rows, strict=True):
        for name in cleaned.tags or []:
            tag_rows.append((record.pk, tag_by_name[fold(name)]))
        if cleaned.stage is not None:
            lifecycle_rows.append(
                (
                    *base,
                    record.pk,
                    None,
                    cleaned.stage.pk,
                    record.lifecycle_changed_at,
                    actor.source,
                )
            )
        for a in cleaned.companies or []:
            affiliation_rows.append((*base, record.pk, a["company_id"], a["role"], a["is_primary"]))
        for consent in cleaned.consents or []:
            values = tuple(consent[k] for k in consent_keys)
            consent_rows.append((*base, record.pk, *values))
            consent_changes.append((*base, record.pk, *values, ConsentStatus.UNKNOWN, actor.source))
    insert_rows(model.tags.through, [owner_key, "tag_id"], tag_rows)
    insert_rows(
        LifecycleChange,
        [*base_columns, owner_key, "from_stage_id", "to_stage_id", "changed_at", "source"],
        lifecycle_rows,
    )
    insert_rows(
        Affiliation,
        [*base_columns, "person_id", "company_id", "role", "is_primary"],
        affiliation_rows,
    )
    insert_rows(Consent, [*base_columns, "person_id", *consent_keys], consent_rows)
    insert_rows(
        ConsentChange,
        [*base_columns, "person_id", *consent_keys, "from_status", "source"],
        consent_changes,
    )


def _get_for_update(
    model: Any, actor: Actor, pk: int, label: str, *, deleted: bool | None = None
) -> Any:
    qs = model.objects.for_workspace(actor.workspace).select_for_update()
    if deleted is not None:
        qs = qs.filter(deleted_at__isnull=not deleted)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("No %(what)s with id %(id)s.") % {"what": label, "id": pk})
    return obj


SNAPSHOT_SKIP = {"custom_fields", "created_at", "updated_at"}


def _snapshot(obj: Model, names: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = (
            value.isoformat()
            if hasattr(value, "isoformat")
            else (
                str(value)
                if value is not None and not isinstance(value, str | int | bool | dict)
                else value
            )
        )
    return out


def update_person(*, actor: Actor, person_id: int, data: dict[str, Any]) -> Person:
    """Change some fields of a person (a patch); ``tags``/``companies`` replace the lists.

    A lifecycle move is dated, kept in the history and put on the timeline.
    """
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.PERSON)
    with transaction.atomic():
        person = _get_for_update(Person, actor, person_id, _("person"), deleted=False)
        cleaned = clean_person(ctx, data, instance=person)
        if "cpf" in cleaned.fields:
            _check_document_unique(Person, actor, "cpf", cleaned.fields["cpf"], person.pk)
        ctx.rules.check_unique(cleaned.fields, data=data, exclude_pk=person.pk)
        _apply_update(ctx, person, cleaned, "person")
    return person


def _apply_update(ctx: Context, record: Person | Company, cleaned: Cleaned, kind: str) -> None:
    actor = ctx.actor
    names = [n for n in cleaned.fields if n not in {"created_at"}]
    before = _snapshot(record, names)
    before_custom = dict(record.custom_fields)
    for name, value in cleaned.fields.items():
        if name != "created_at":
            setattr(record, name, value)
    changes = audit.diff(before, _snapshot(record, names))
    changes.pop("custom_fields", None)
    for key in set(before_custom) | set(record.custom_fields):
        if before_custom.get(key) != record.custom_fields.get(key):
            changes[f"custom_fields.{key}"] = [
                before_custom.get(key),
                record.custom_fields.get(key),
            ]
    record.save()
    is_person = isinstance(record, Person)
    link: dict[str, Any] = {"person": record} if is_person else {"company": record}
    if cleaned.tags is not None:
        old = sorted(t.name for t in record.tags.all())
        tags = ctx.resolve_tags(cleaned.tags)
        record.tags.set(tags)
        new = sorted(t.name for t in tags)
        if old != new:
            changes["tags"] = [old, new]
    if cleaned.companies is not None and is_person:
        old_ids = sorted(record.affiliations.values_list("company_id", flat=True))
        record.affiliations.all().delete()
        Affiliation.objects.bulk_create(
            [
                Affiliation(
                    workspace=actor.workspace, created_by=actor.user, person_id=record.pk, **a
                )
                for a in cleaned.companies
            ]
        )
        new_ids = sorted(a["company_id"] for a in cleaned.companies)
        if old_ids != new_ids:
            changes["companies"] = [old_ids, new_ids]
    if cleaned.stage_given and cleaned.stage != record.lifecycle_stage:
        _move_lifecycle(actor, record, cleaned.stage, link, kind)
        changes["lifecycle_stage"] = [None, cleaned.stage.key if cleaned.stage else None]
    for consent in cleaned.consents or []:
        _set_consent(actor, record, consent)  # type: ignore[arg-type]
    if changes:
        audit.record(actor, f"{kind}.updated", record, changes=changes)
        summary_fields = changed_fields(type(record), changes)
        timeline.record(
            actor,
            f"{kind}.updated",
            gettext_noop("%(name)s updated: %(fields)s"),
            params={"name": _display_name(record), "fields": summary_fields},
            data={"changes": changes},
            **link,
        )
        events.emit(
            f"{kind}.updated", actor=actor, subject=record, payload={"changed": sorted(changes)}
        )


def _move_lifecycle(
    actor: Actor,
    record: Person | Company,
    stage: LifecycleStage | None,
    link: dict[str, Any],
    kind: str,
) -> None:
    previous = record.lifecycle_stage
    now = timezone.now()
    type(record).objects.filter(pk=record.pk).update(
        lifecycle_stage=stage, lifecycle_changed_at=now
    )
    record.lifecycle_stage = stage
    record.lifecycle_changed_at = now
    LifecycleChange.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        from_stage=previous,
        to_stage=stage,
        changed_at=now,
        source=actor.source,
        **link,
    )
    timeline.record(
        actor,
        "lifecycle.changed",
        gettext_noop("Lifecycle: %(old)s → %(new)s"),
        params={"old": previous.name if previous else "—", "new": stage.name if stage else "—"},
        occurred_at=now,
        data={
            "from": previous.key if previous else None,
            "to": stage.key if stage else None,
        },
        **link,
    )
    events.emit(
        f"{kind}.lifecycle_changed",
        actor=actor,
        subject=record,
        payload={
            "from": previous.key if previous else None,
            "to": stage.key if stage else None,
            "phase": stage.phase if stage else None,
        },
    )


def delete_person(*, actor: Actor, person_id: int) -> Person:
    """Move a person to the bin (restorable); their history stays."""
    return _soft_delete(actor, Person, person_id, "person")


def restore_person(*, actor: Actor, person_id: int) -> Person:
    """Bring a person back from the bin; refuses when their CPF now belongs to someone else."""
    return _restore(actor, Person, person_id, "person", "cpf")


def _soft_delete(actor: Actor, model: Any, pk: int, kind: str) -> Any:
    require(actor, "records.delete")
    with transaction.atomic():
        record = _get_for_update(model, actor, pk, _(kind), deleted=False)
        record.deleted_at = timezone.now()
        record.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, f"{kind}.deleted", record)
        link = {kind: record}
        timeline.record(
            actor,
            f"{kind}.deleted",
            gettext_noop("%(name)s moved to the bin"),
            params={"name": _display_name(record)},
            **link,
        )
        events.emit(f"{kind}.deleted", actor=actor, subject=record)
    return record


def _restore(actor: Actor, model: Any, pk: int, kind: str, document: str) -> Any:
    require(actor, "records.delete")
    with transaction.atomic():
        record = _get_for_update(model, actor, pk, _(kind), deleted=True)
        _check_document_unique(model, actor, document, getattr(record, document), record.pk)
        record.deleted_at = None
        record.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, f"{kind}.restored", record)
        timeline.record(
            actor,
            f"{kind}.restored",
            gettext_noop("%(name)s restored from the bin"),
            params={"name": _display_name(record)},
            **{kind: record},
        )
        events.emit(f"{kind}.restored", actor=actor, subject=record)
    return record


# --- consent --------------------------------------------------------------------------------


def set_consent(*, actor: Actor, person_id: int, data: dict[str, Any]) -> Consent:
    """Record a person's consent for one channel (LGPD): status, legal basis, how and when.

    Keeps the full history; refuses unknown channels/statuses/bases/methods and, for verbal or
    written consent, a statement without evidence.
    """
    require(actor, "records.write")
    consent = clean_consent(data)
    with transaction.atomic():
        person = _get_for_update(Person, actor, person_id, _("person"), deleted=False)
        return _set_consent(actor, person, consent)


def _set_consent(actor: Actor, person: Person, consent: dict[str, Any]) -> Consent:
    current = Consent.objects.filter(person=person, channel=consent["channel"]).first()
    previous = current.status if current else ConsentStatus.UNKNOWN
    if current is None:
        current = Consent(workspace=actor.workspace, created_by=actor.user, person=person)
    for name, value in consent.items():
        setattr(current, name, value)
    current.save()
    ConsentChange.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        person=person,
        from_status=previous,
        source=actor.source,
        **consent,
    )
    timeline.record(
        actor,
        "consent.changed",
        gettext_noop("Consent for %(channel)s: %(status)s"),
        params=consent_labels(consent),
        person=person,
        occurred_at=consent["changed_at"],
        data={
            "channel": consent["channel"],
            "from": previous,
            "to": consent["status"],
            "legal_basis": consent["legal_basis"],
            "method": consent["method"],
        },
    )
    audit.record(
        actor,
        "person.consent_changed",
        person,
        changes={f"consent.{consent['channel']}": [previous, consent["status"]]},
    )
    events.emit(
        "person.consent_changed",
        actor=actor,
        subject=person,
        payload={
            "channel": consent["channel"],
            "from": previous,
            "to": consent["status"],
            "legal_basis": consent["legal_basis"],
        },
    )
    return current


# --- companies ------------------------------------------------------------------------------


def create_company(*, actor: Actor, data: dict[str, Any]) -> Company:
    """Add a company; refuses a bad or taken CNPJ, bad contact data, owner or custom values."""
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.COMPANY)
    cleaned = clean_company(ctx, data)
    with transaction.atomic():
        _check_document_unique(Company, actor, "cnpj", cleaned.fields.get("cnpj", ""))
        ctx.rules.check_unique(cleaned.fields)
        return _insert_records(ctx, Company, [cleaned], single=True)[0]


def bulk_create_companies(
    *, actor: Actor, rows: list[dict[str, Any]], max_rows: int | None = MAX_BULK_ROWS
) -> BulkResult[Company]:
    """Create many companies at once; good rows kept, bad rows reported by index."""
    require(actor, "records.write")
    _check_bulk_size(rows, max_rows)
    ctx = Context(actor, CustomObject.COMPANY)
    return _bulk_create(ctx, rows, clean_company, Company, "cnpj")


def update_company(*, actor: Actor, company_id: int, data: dict[str, Any]) -> Company:
    """Change some fields of a company (a patch); ``tags`` replaces the list."""
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.COMPANY)
    with transaction.atomic():
        company = _get_for_update(Company, actor, company_id, _("company"), deleted=False)
        cleaned = clean_company(ctx, data, instance=company)
        if "cnpj" in cleaned.fields:
            _check_document_unique(Company, actor, "cnpj", cleaned.fields["cnpj"], company.pk)
        ctx.rules.check_unique(cleaned.fields, data=data, exclude_pk=company.pk)
        _apply_update(ctx, company, cleaned, "company")
    return company


def delete_company(*, actor: Actor, company_id: int) -> Company:
    """Move a company to the bin (restorable); its people stay."""
    return _soft_delete(actor, Company, company_id, "company")


def restore_company(*, actor: Actor, company_id: int) -> Company:
    """Bring a company back; refuses when its CNPJ now belongs to another company."""
    return _restore(actor, Company, company_id, "company", "cnpj")


def note_activity(
    *,
    actor: Actor,
    people: dict[int, datetime] | None = None,
    companies: dict[int, datetime] | None = None,
) -> None:
    """Move ``last_activity_at`` of people and companies forward to the given moments, never
    backward (a backdated import does not make a record look less recent).

    One prepared UPDATE run for every record (``executemany``), so a 100,000-row import costs
    one statement preparation, not 100,000 query compilations.
    """
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    for model, moments in ((Person, people or {}), (Company, companies or {})):
        if not moments:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        sql = (
            f"UPDATE {table} SET last_activity_at = %s "  # noqa: S608  (table name from the model)
            "WHERE id = %s AND workspace_id = %s "
            "AND (last_activity_at IS NULL OR last_activity_at < %s)"
        )
        workspace_id = actor.workspace.pk
        params = [(adapt(at), pk, workspace_id, adapt(at)) for pk, at in sorted(moments.items())]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


# --- merge support (quality) ----------------------------------------------------------------
# Used by ``vinculo.quality.services.merge``: the merge moves a loser's relations onto the
# survivor and its undo moves back exactly what moved, so every function returns (or takes) the
# ids it touched. Callers hold the transaction and have checked permissions.

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
    survivor = _get_for_update(model, actor, survivor_id, _(kind), deleted=False)
    loser = _get_for_update(model, actor, loser_id, _(kind), deleted=False)
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
    _check_document_unique(model, actor, document, getattr(survivor, document), survivor.pk)
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
    survivor = _get_for_update(model, actor, survivor_id, _(kind))
    loser = _get_for_update(model, actor, loser_id, _(kind), deleted=True)
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
    _check_document_unique(model, actor, document, getattr(loser, document), loser.pk)
    loser.deleted_at = None
    loser.save(update_fields=["deleted_at", "updated_at"])
