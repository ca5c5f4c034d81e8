"""REST endpoints of entry rules: list, add, switch on/off, delete; the fields rules may govern."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id
from vinculo.quality.selectors import rules as selectors
from vinculo.quality.services import rules as services

router = Router(tags=["quality"])


class RuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    object_type: str = Field(description="person, company or deal")
    field: str = Field(description="A standard field (email, state…) or custom_fields.<key>.")
    kind: str = Field(description="required, format or unique")
    format: str = Field(
        "",
        description="For format rules: uppercase, digits_only, br_state, cep, mobile_br, "
        "corporate_email or regex.",
    )
    pattern: str = Field("", description="For regex: a Python regular expression (≤ 200 chars).")
    message: str = Field("", description="Shown instead of the standard message (optional).")
    is_active: bool = True


class RulePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    is_active: bool | None = None
    message: str | None = None


class RuleOut(Schema):
    id: int
    object_type: str
    field: str
    field_label: str
    kind: str
    format: str
    pattern: str
    message: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class RuleCreatedOut(RuleOut):
    violations: int = Field(description="Live records that break the rule now (kept as they are).")
    violations_url: str = Field(
        description="The list filtered on those records; empty when no filter can express it."
    )


class RuleFieldOut(Schema):
    name: str
    label: str
    type: str
    formats: list[str]
    may_be_unique: bool


class RulesQuery(Schema):
    object_type: str | None = None


def _out(actor: Any, rule: Any) -> dict[str, Any]:
    return selectors.describe(rule, selectors.field_labels(actor))


@router.get(
    "/quality/rules",
    response={200: list[RuleOut], **ERRORS},
    summary="List the workspace's entry rules",
)
def list_rules(request: HttpRequest, query: Query[RulesQuery]) -> list[dict[str, Any]]:
    actor = actor_of(request)
    labels = selectors.field_labels(actor)
    rules = selectors.entry_rules(actor, object_type=query.object_type)
    return [selectors.describe(r, labels) for r in rules]


@router.get(
    "/quality/rules/fields",
    response={200: list[RuleFieldOut], **ERRORS},
    summary="The fields entry rules may govern on an object type",
)
def rule_fields(request: HttpRequest, object_type: str = "person") -> list[dict[str, Any]]:
    fields = selectors.fields_for_rules(actor_of(request), object_type)
    return [
        {
            "name": f.name,
            "label": f.label,
            "type": f.type,
            "formats": f.formats,
            "may_be_unique": f.may_be_unique,
        }
        for f in fields
    ]


@router.post(
    "/quality/rules",
    response={201: RuleCreatedOut, **ERRORS},
    summary="Add an entry rule; says how many records already break it",
)
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    created = services.create_entry_rule(actor=actor, data=payload.dict())
    body = {
        **_out(actor, created.rule),
        "violations": created.violations,
        "violations_url": created.list_url,
    }
    return Status(201, body)


@router.get("/quality/rules/{rule_id}", response={200: RuleOut, **ERRORS}, summary="One rule")
def get_rule(request: HttpRequest, rule_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    return _out(actor, selectors.get_entry_rule(actor, rule_id))


@router.patch(
    "/quality/rules/{rule_id}",
    response={200: RuleOut, **ERRORS},
    summary="Switch a rule on or off, or change its message",
)
def update_rule(request: HttpRequest, rule_id: Id, payload: RulePatch) -> dict[str, Any]:
    actor = actor_of(request)
    rule = services.update_entry_rule(
        actor=actor, rule_id=rule_id, data=payload.dict(exclude_unset=True)
    )
    return _out(actor, rule)


@router.delete("/quality/rules/{rule_id}", response={204: None, **ERRORS}, summary="Delete a rule")
def delete_rule(request: HttpRequest, rule_id: Id) -> Status[None]:
    services.delete_entry_rule(actor=actor_of(request), rule_id=rule_id)
    return Status(204, None)
