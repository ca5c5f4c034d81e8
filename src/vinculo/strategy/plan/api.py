"""REST endpoints of the CRM plan (docs/strategy.md): the whole plan with budgets and orphans,
objectives, strategies and tactics (CRUD and order), spend, versions and their differences,
and the calculator of a customer's yearly value."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id
from vinculo.strategy.models import TacticSpend
from vinculo.strategy.plan import calculator, selectors, services, spend, versions
from vinculo.strategy.plan.present import (
    objective_json,
    plain,
    strategy_json,
    tactic_json,
    tree_json,
)
from vinculo.strategy.plan.schemas import (
    PlanCalculatorOut,
    PlanDiffOut,
    PlanHeadOut,
    PlanObjectiveIn,
    PlanObjectiveOut,
    PlanObjectivePatch,
    PlanOut,
    PlanPatch,
    PlanReorderIn,
    PlanSpendIn,
    PlanSpendOut,
    PlanStrategyIn,
    PlanStrategyOut,
    PlanStrategyPatch,
    PlanTacticIn,
    PlanTacticOut,
    PlanTacticPatch,
    PlanVersionDetailOut,
    PlanVersionIn,
    PlanVersionOut,
)

router = Router(tags=["Strategy plan"])


def _head(request: HttpRequest) -> dict[str, Any]:
    return tree_json(selectors.plan_tree(actor_of(request)))["plan"]


@router.get("/plan", response={200: PlanOut, **ERRORS}, summary="The plan with totals and orphans")
def get_plan(request: HttpRequest) -> dict[str, Any]:
    return tree_json(selectors.plan_tree(actor_of(request)))


@router.patch("/plan", response={200: PlanHeadOut, **ERRORS}, summary="Change the plan's title")
def update_plan(request: HttpRequest, payload: PlanPatch) -> dict[str, Any]:
    services.update_plan(actor=actor_of(request), data=payload.dict(exclude_unset=True))
    return _head(request)


@router.get(
    "/plan/calculator",
    response={200: PlanCalculatorOut, **ERRORS},
    summary="A customer's yearly value from the KPIs",
)
def get_calculator(request: HttpRequest, currency: str | None = None) -> dict[str, Any]:
    return plain(calculator.customer_value(actor_of(request), currency))


# --- objectives, strategies, tactics ----------------------------------------------------------


@router.get("/plan/objectives", response={200: list[PlanObjectiveOut], **ERRORS})
def list_objectives(request: HttpRequest) -> list[dict[str, Any]]:
    return [plain(objective_json(o)) for o in selectors.objectives(actor_of(request))]


@router.post("/plan/objectives", response={201: PlanObjectiveOut, **ERRORS})
def create_objective(request: HttpRequest, payload: PlanObjectiveIn) -> Status[dict[str, Any]]:
    found = services.create_objective(actor=actor_of(request), data=payload.dict())
    return Status(201, plain(objective_json(found)))


@router.post("/plan/objectives/reorder", response={204: None, **ERRORS})
def reorder_objectives(request: HttpRequest, payload: PlanReorderIn) -> Status[None]:
    services.reorder(actor=actor_of(request), kind="objectives", ids=payload.ids)
    return Status(204, None)


@router.get("/plan/objectives/{objective_id}", response={200: PlanObjectiveOut, **ERRORS})
def get_objective(request: HttpRequest, objective_id: Id) -> dict[str, Any]:
    return plain(objective_json(selectors.get_objective(actor_of(request), objective_id)))


@router.patch("/plan/objectives/{objective_id}", response={200: PlanObjectiveOut, **ERRORS})
def update_objective(
    request: HttpRequest, objective_id: Id, payload: PlanObjectivePatch
) -> dict[str, Any]:
    found = services.update_objective(
        actor=actor_of(request), objective_id=objective_id, data=payload.dict(exclude_unset=True)
    )
    return plain(objective_json(found))


@router.delete("/plan/objectives/{objective_id}", response={204: None, **ERRORS})
def delete_objective(request: HttpRequest, objective_id: Id) -> Status[None]:
    services.delete_objective(actor=actor_of(request), objective_id=objective_id)
    return Status(204, None)


@router.get("/plan/strategies", response={200: list[PlanStrategyOut], **ERRORS})
def list_strategies(request: HttpRequest) -> list[dict[str, Any]]:
    return [plain(strategy_json(s)) for s in selectors.strategies(actor_of(request))]


@router.post("/plan/strategies", response={201: PlanStrategyOut, **ERRORS})
def create_strategy(request: HttpRequest, payload: PlanStrategyIn) -> Status[dict[str, Any]]:
    found = services.create_strategy(actor=actor_of(request), data=payload.dict())
    return Status(201, plain(strategy_json(found)))


@router.post("/plan/strategies/reorder", response={204: None, **ERRORS})
def reorder_strategies(request: HttpRequest, payload: PlanReorderIn) -> Status[None]:
    services.reorder(actor=actor_of(request), kind="strategies", ids=payload.ids)
    return Status(204, None)


@router.get("/plan/strategies/{strategy_id}", response={200: PlanStrategyOut, **ERRORS})
def get_strategy(request: HttpRequest, strategy_id: Id) -> dict[str, Any]:
    return plain(strategy_json(selectors.get_strategy(actor_of(request), strategy_id)))


@router.patch("/plan/strategies/{strategy_id}", response={200: PlanStrategyOut, **ERRORS})
def update_strategy(
    request: HttpRequest, strategy_id: Id, payload: PlanStrategyPatch
) -> dict[str, Any]:
    found = services.update_strategy(
        actor=actor_of(request), strategy_id=strategy_id, data=payload.dict(exclude_unset=True)
    )
    return plain(strategy_json(found))


@router.delete("/plan/strategies/{strategy_id}", response={204: None, **ERRORS})
def delete_strategy(request: HttpRequest, strategy_id: Id) -> Status[None]:
    services.delete_strategy(actor=actor_of(request), strategy_id=strategy_id)
    return Status(204, None)


@router.get("/plan/tactics", response={200: list[PlanTacticOut], **ERRORS})
def list_tactics(request: HttpRequest) -> list[dict[str, Any]]:
    return [plain(tactic_json(t)) for t in selectors.tactics(actor_of(request))]


@router.post("/plan/tactics", response={201: PlanTacticOut, **ERRORS})
def create_tactic(request: HttpRequest, payload: PlanTacticIn) -> Status[dict[str, Any]]:
    found = services.create_tactic(actor=actor_of(request), data=payload.dict())
    return Status(201, plain(tactic_json(found)))


@router.post("/plan/tactics/reorder", response={204: None, **ERRORS})
def reorder_tactics(request: HttpRequest, payload: PlanReorderIn) -> Status[None]:
    services.reorder(actor=actor_of(request), kind="tactics", ids=payload.ids)
    return Status(204, None)


@router.get("/plan/tactics/{tactic_id}", response={200: PlanTacticOut, **ERRORS})
def get_tactic(request: HttpRequest, tactic_id: Id) -> dict[str, Any]:
    return plain(tactic_json(selectors.get_tactic(actor_of(request), tactic_id)))


@router.patch("/plan/tactics/{tactic_id}", response={200: PlanTacticOut, **ERRORS})
def update_tactic(request: HttpRequest, tactic_id: Id, payload: PlanTacticPatch) -> dict[str, Any]:
    found = services.update_tactic(
        actor=actor_of(request), tactic_id=tactic_id, data=payload.dict(exclude_unset=True)
    )
    return plain(tactic_json(found))


@router.delete("/plan/tactics/{tactic_id}", response={204: None, **ERRORS})
def delete_tactic(request: HttpRequest, tactic_id: Id) -> Status[None]:
    services.delete_tactic(actor=actor_of(request), tactic_id=tactic_id)
    return Status(204, None)


# --- spend ------------------------------------------------------------------------------------


def spend_json(s: TacticSpend) -> dict[str, Any]:
    return plain(
        {
            f: getattr(s, f)
            for f in (
                "id",
                "tactic_id",
                "spent_on",
                "amount",
                "currency",
                "hours",
                "note",
                "entered_amount",
                "entered_currency",
                "rate",
                "created_at",
            )
        }
    )


@router.get("/plan/tactics/{tactic_id}/spend", response={200: list[PlanSpendOut], **ERRORS})
def list_spend(request: HttpRequest, tactic_id: Id) -> list[dict[str, Any]]:
    return [spend_json(s) for s in selectors.spend_of(actor_of(request), tactic_id)]


@router.post("/plan/tactics/{tactic_id}/spend", response={201: PlanSpendOut, **ERRORS})
def add_spend(request: HttpRequest, tactic_id: Id, payload: PlanSpendIn) -> Status[dict[str, Any]]:
    found = spend.add_spend(actor=actor_of(request), tactic_id=tactic_id, data=payload.dict())
    return Status(201, spend_json(found))


@router.delete("/plan/tactics/{tactic_id}/spend/{tactic_spend_id}", response={204: None, **ERRORS})
def delete_spend(request: HttpRequest, tactic_id: Id, tactic_spend_id: Id) -> Status[None]:
    spend.delete_spend(actor=actor_of(request), tactic_id=tactic_id, spend_id=tactic_spend_id)
    return Status(204, None)


# --- versions ---------------------------------------------------------------------------------


def version_json(v: Any, *, snapshot: bool = False) -> dict[str, Any]:
    body = {
        "number": v.number,
        "note": v.note,
        "created_at": v.created_at,
        "created_by": None
        if v.created_by is None
        else {"id": v.created_by.pk, "name": str(v.created_by)},
    }
    if snapshot:
        body["snapshot"] = v.snapshot
    return body


@router.get("/plan/versions", response={200: list[PlanVersionOut], **ERRORS})
def list_versions(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        version_json(v) for v in selectors.versions(actor_of(request)).select_related("created_by")
    ]


@router.post("/plan/versions", response={201: PlanVersionOut, **ERRORS}, summary="Save a version")
def save_version(request: HttpRequest, payload: PlanVersionIn) -> Status[dict[str, Any]]:
    found = versions.save_version(actor=actor_of(request), note=payload.note)
    return Status(201, version_json(found))


@router.get(
    "/plan/versions/diff", response={200: PlanDiffOut, **ERRORS}, summary="Compare two versions"
)
def diff_versions(
    request: HttpRequest, from_number: Id, to_number: Id | None = None
) -> dict[str, Any]:
    return versions.compare(actor_of(request), from_number, to_number)


@router.get("/plan/versions/{number}", response={200: PlanVersionDetailOut, **ERRORS})
def get_version(request: HttpRequest, number: Id) -> dict[str, Any]:
    return version_json(selectors.get_version(actor_of(request), number), snapshot=True)
