"""What cleaning a person or a company shares: the batch :class:`Context` (members, stages, tags,
custom fields and entry rules, loaded once per call), the :class:`Cleaned` result, the plain
fields cleaned by the record's write contract (:mod:`vinculo.contacts.contract`), and the
cleaning of owner, import time, stage, tags and custom values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts import custom_fields as cf
from vinculo.contacts.models import Company, CustomObject, LifecycleStage, Person, Tag
from vinculo.contacts.selectors import live_ids
from vinculo.contacts.services.lifecycle import ensure_lifecycle_stages
from vinculo.contacts.tags import ensure_tags, fold
from vinculo.core import entry_rules, validators
from vinculo.core.actor import Actor
from vinculo.core.contracts import WriteContract
from vinculo.core.errors import FieldError, choice_error, collect
from vinculo.workspaces.selectors import active_member_ids


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
        self.rules = entry_rules.checker(actor, object_type)  # loads once, on first use

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


@dataclass
class Cleaned:
    fields: dict[str, Any]
    tags: list[str] | None = None
    companies: list[dict[str, Any]] | None = None
    consents: list[dict[str, Any]] | None = None
    stage: LifecycleStage | None = None
    stage_given: bool = False


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


def clean_head(
    contract: WriteContract,
    ctx: Context,
    data: dict[str, Any],
    *,
    creating: bool,
    errors: list[FieldError],
) -> dict[str, Any]:
    """Unknown keys refused by name; the plain fields cleaned by the record's contract."""
    return contract.clean(data, errors, creating=creating, region=ctx.region)


def clean_tail(
    ctx: Context,
    data: dict[str, Any],
    fields: dict[str, Any],
    model: type[Person] | type[Company],
    instance: Person | Company | None,
    errors: list[FieldError],
) -> Cleaned:
    """What people and companies share and needs the workspace: owner, import time, stage, tags,
    custom fields, and the entry rules over the whole row."""
    if "owner_id" in data:
        fields["owner_id"] = _clean_owner(ctx, data["owner_id"], errors)
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
