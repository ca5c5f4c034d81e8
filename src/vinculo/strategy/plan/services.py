"""Writes of the plan: the plan itself (made on first use), its
objectives, strategies and tactics (create, change, delete, reorder). Each write is one
transaction, checked field by field (422 naming every bad field), scoped to the workspace and
audited. Deleting an item deletes what hangs from it; the goals of a deleted tactic stay,
without a tactic (they become orphans, listed on the plan)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError
from vinculo.core.permissions import require
from vinculo.strategy.models import Objective, ObjectiveKind, Plan, Strategy, Tactic
from vinculo.strategy.plan import selectors
from vinculo.strategy.plan.cleaning import (
    OBJECTIVE,
    STRATEGY,
    TACTIC,
    clean_fields,
    plan_fields,
    refuse,
)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _changes(row: Model, clean: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [_plain(getattr(row, k)), _plain(v)] for k, v in clean.items() if getattr(row, k) != v
    }


def ensure_plan(actor: Actor) -> Plan:
    """The workspace's plan, made the first time it is needed. Its title stays empty until
    someone gives one: it reads "CRM plan of <workspace>" in each reader's language."""
    require(actor, "strategy.manage")
    plan, created = Plan.objects.get_or_create(
        workspace=actor.workspace,
        defaults={"title": "", "created_by": actor.user},
    )
    if created:
        audit.record(actor, "plan.created", plan, changes={"version": [None, 0]})
    return plan


def update_plan(*, actor: Actor, data: dict[str, Any]) -> Plan:
    """Change the plan's title, summary, review interval (1 to 24 months) or next review."""
    require(actor, "strategy.manage")
    clean = plan_fields(actor, data)
    with transaction.atomic():
        plan = ensure_plan(actor)
        changes = _changes(plan, clean)
        if changes:
            for key, value in clean.items():
                setattr(plan, key, value)
            plan.save()
            audit.record(actor, "plan.updated", plan, changes=changes)
    return plan


# --- objectives -------------------------------------------------------------------------------


def _check_objective(merged: dict[str, Any], workspace_currency: str) -> dict[str, Any]:
    """The objective's money needs a currency: the workspace's when none is given."""
    money = any(merged.get(k) is not None for k in ("customer_value", "cost_reduced"))
    if money and not merged.get("currency"):
        return {"currency": workspace_currency}
    return {}


def create_objective(*, actor: Actor, data: dict[str, Any]) -> Objective:
    require(actor, "strategy.manage")
    clean, errors = clean_fields(actor, OBJECTIVE, data, creating=True)
    refuse(errors)
    clean.setdefault("kind", ObjectiveKind.OTHER)
    clean |= _check_objective(clean, actor.workspace.default_currency)
    with transaction.atomic():
        plan = ensure_plan(actor)
        position = selectors.next_position(actor, Objective, plan=plan)
        found = Objective.objects.create(
            workspace=actor.workspace, created_by=actor.user, plan=plan, position=position, **clean
        )
        audit.record(
            actor,
            "objective.created",
            found,
            changes={k: [None, _plain(v)] for k, v in clean.items()},
        )
    return found


def update_objective(*, actor: Actor, objective_id: int, data: dict[str, Any]) -> Objective:
    require(actor, "strategy.manage")
    clean, errors = clean_fields(actor, OBJECTIVE, data, creating=False)
    refuse(errors)
    with transaction.atomic():
        found = selectors.get_objective(actor, objective_id, lock=True)
        merged = {k: getattr(found, k) for k in OBJECTIVE} | clean
        clean |= _check_objective(merged, actor.workspace.default_currency)
        return _save(actor, found, clean, "objective.updated")


def _save(actor: Actor, row: Any, clean: dict[str, Any], action: str) -> Any:
    changes = _changes(row, clean)
    if changes:
        for key, value in clean.items():
            setattr(row, key, value)
        row.save()
        audit.record(actor, action, row, changes=changes)
    return row


def delete_objective(*, actor: Actor, objective_id: int) -> None:
    """Delete an objective with its strategies, tactics and spend (their goals stay, orphans)."""
    require(actor, "strategy.manage")
    with transaction.atomic():
        found = selectors.get_objective(actor, objective_id, lock=True)
        audit.record(actor, "objective.deleted", found, changes={"title": [found.title, None]})
        found.delete()


# --- strategies -------------------------------------------------------------------------------


def _objective_ref(actor: Actor, clean: dict[str, Any], errors: list[FieldError]) -> None:
    if (
        "objective_id" in clean
        and not selectors.objectives(actor).filter(pk=clean["objective_id"]).exists()
    ):
        errors.append(
            FieldError("objective_id", _("No objective with this id in the plan."), "not_found")
        )


def create_strategy(*, actor: Actor, data: dict[str, Any]) -> Strategy:
    require(actor, "strategy.manage")
    clean, errors = clean_fields(actor, STRATEGY, data, creating=True)
    _objective_ref(actor, clean, errors)
    refuse(errors)
    with transaction.atomic():
        position = selectors.next_position(actor, Strategy, objective_id=clean["objective_id"])
        found = Strategy.objects.create(
            workspace=actor.workspace, created_by=actor.user, position=position, **clean
        )
        audit.record(
            actor,
            "strategy.created",
            found,
            changes={k: [None, _plain(v)] for k, v in clean.items()},
        )
    return found


def update_strategy(*, actor: Actor, strategy_id: int, data: dict[str, Any]) -> Strategy:
    """Change a strategy; a new ``objective_id`` moves it (and its tactics) there, last."""
    require(actor, "strategy.manage")
    clean, errors = clean_fields(actor, STRATEGY, data, creating=False)
    _objective_ref(actor, clean, errors)
    refuse(errors)
    with transaction.atomic():
        found = selectors.get_strategy(actor, strategy_id, lock=True)
        if clean.get("objective_id", found.objective_id) != found.objective_id:
            clean["position"] = selectors.next_position(
                actor, Strategy, objective_id=clean["objective_id"]
            )
        return _save(actor, found, clean, "strategy.updated")


def delete_strategy(*, actor: Actor, strategy_id: int) -> None:
    require(actor, "strategy.manage")
    with transaction.atomic():
        found = selectors.get_strategy(actor, strategy_id, lock=True)
        audit.record(actor, "strategy.deleted", found, changes={"title": [found.title, None]})
        found.delete()


# --- tactics ----------------------------------------------------------------------------------


def _tactic_checks(
    actor: Actor, clean: dict[str, Any], merged: dict[str, Any], errors: list[FieldError]
) -> None:
    if (
        "strategy_id" in clean
        and not selectors.strategies(actor).filter(pk=clean["strategy_id"]).exists()
    ):
        errors.append(
            FieldError("strategy_id", _("No strategy with this id in the plan."), "not_found")
        )
    starts, ends = merged.get("starts_on"), merged.get("ends_on")
    if starts and ends and ends < starts:
        errors.append(
            FieldError("ends_on", _("The end cannot come before the start."), "before_start")
        )
    if merged.get("budget_amount") is not None and not merged.get("budget_currency"):
        clean["budget_currency"] = actor.workspace.default_currency


def create_tactic(*, actor: Actor, data: dict[str, Any]) -> Tactic:
    require(actor, "strategy.manage")
    clean, errors = clean_fields(actor, TACTIC, data, creating=True)
    _tactic_checks(actor, clean, clean, errors)
    refuse(errors)
    with transaction.atomic():
        position = selectors.next_position(actor, Tactic, strategy_id=clean["strategy_id"])
        found = Tactic.objects.create(
            workspace=actor.workspace, created_by=actor.user, position=position, **clean
        )
        audit.record(
            actor, "tactic.created", found, changes={k: [None, _plain(v)] for k, v in clean.items()}
        )
    return found


def update_tactic(*, actor: Actor, tactic_id: int, data: dict[str, Any]) -> Tactic:
    """Change a tactic; a new ``strategy_id`` moves it there, last. Changing the budget's
    currency when spend is recorded in the old one is refused (the spend would not compare)."""
    require(actor, "strategy.manage")
    clean, errors = clean_fields(actor, TACTIC, data, creating=False)
    refuse(errors)
    with transaction.atomic():
        found = selectors.get_tactic(actor, tactic_id, lock=True)
        merged = {k: getattr(found, k) for k in TACTIC} | clean
        _tactic_checks(actor, clean, merged, errors)
        new_currency = clean.get("budget_currency")
        if (
            new_currency
            and found.budget_currency
            and new_currency != found.budget_currency
            and found.spend.exclude(currency="").exclude(currency=new_currency).exists()
        ):
            errors.append(
                FieldError(
                    "budget_currency",
                    _(
                        "Spend is recorded in %(old)s against this budget: delete it before "
                        "changing the budget's currency."
                    )
                    % {"old": found.budget_currency},
                    "spend_recorded",
                )
            )
        refuse(errors)
        if clean.get("strategy_id", found.strategy_id) != found.strategy_id:
            clean["position"] = selectors.next_position(
                actor, Tactic, strategy_id=clean["strategy_id"]
            )
        return _save(actor, found, clean, "tactic.updated")


def delete_tactic(*, actor: Actor, tactic_id: int) -> None:
    """Delete a tactic and its spend; its goals stay, without a tactic (orphans)."""
    require(actor, "strategy.manage")
    with transaction.atomic():
        found = selectors.get_tactic(actor, tactic_id, lock=True)
        audit.record(actor, "tactic.deleted", found, changes={"title": [found.title, None]})
        found.delete()


# --- order ------------------------------------------------------------------------------------

REORDER = {"objectives": Objective, "strategies": Strategy, "tactics": Tactic}
PARENT = {"objectives": "plan_id", "strategies": "objective_id", "tactics": "strategy_id"}


def reorder(*, actor: Actor, kind: str, ids: list[Any]) -> None:
    """Put the siblings in the order of ``ids``: every objective of the plan, or every strategy
    of one objective, or every tactic of one strategy, each once (422 ``ids`` otherwise)."""
    require(actor, "strategy.manage")
    model = REORDER[kind]
    wanted: list[int] = []
    errors: list[FieldError] = []
    for value in ids if isinstance(ids, list) else [None]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(FieldError("ids", _("Send a list of numeric ids."), "invalid_id"))
            break
        wanted.append(value)
    if not wanted and not errors:
        errors.append(FieldError("ids", _("Send a list of numeric ids."), "required"))
    refuse(errors)
    parent = PARENT[kind]
    with transaction.atomic():
        rows = {
            r.pk: r
            for r in model.objects.for_workspace(actor.workspace)
            .select_for_update()
            .filter(pk__in=wanted)
        }
        parents = {getattr(r, parent) for r in rows.values()}
        siblings = (
            set(
                model.objects.for_workspace(actor.workspace)
                .filter(**{parent: next(iter(parents))})
                .values_list("pk", flat=True)
            )
            if len(parents) == 1
            else set()
        )
        if len(wanted) != len(set(wanted)) or set(wanted) != siblings:
            refuse(
                [
                    FieldError(
                        "ids",
                        _("Send every item under the same parent, each once, in the new order."),
                        "not_siblings",
                    )
                ]
            )
        for position, pk in enumerate(wanted):
            if rows[pk].position != position:
                rows[pk].position = position
                rows[pk].save(update_fields=["position", "updated_at"])
