"""Creating, changing and deleting goals, every field checked (422 naming the field): the KPI
is registered, each filter is one the KPI can be cut by, the segment is valid in the filter
language, the deadline follows the start, a quota measures its team goal's KPI and that KPI
adds up. A goal that has started is measured at once (its baseline and first reading)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import audit, filters
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, choice_error, raise_if_any
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Kpi, Unit, get
from vinculo.core.kpis.engine import MAX_DAYS
from vinculo.core.permissions import require
from vinculo.core.tenancy import Membership, Team
from vinculo.sales.models import Pipeline
from vinculo.strategy.goals import rules
from vinculo.strategy.goals.measuring import measure_goal
from vinculo.strategy.goals.selectors import get_goal
from vinculo.strategy.models import Goal, GoalMeasure, GoalReading, Tactic

MAX_TARGET = Decimal("999999999999")
FIELDS = (
    "title", "kpi_key", "measure", "window_days", "filter_owner_id", "filter_team_id",
    "filter_pipeline_id", "filter_source", "filter_lifecycle_stage", "segment_object", "segment",
    "currency", "owner_id", "team_id", "starts_on", "deadline", "target", "tactic_id",
    "parent_id",
)  # fmt: skip
# A change to any of these measures something else: the baseline and readings start over.
MEASURED = (
    "kpi_key", "measure", "window_days", "filter_owner_id", "filter_team_id",
    "filter_pipeline_id", "filter_source", "filter_lifecycle_stage", "segment_object", "segment",
    "currency", "starts_on",
)  # fmt: skip
# Each filter and the KPI dimension it needs (a team cuts by its members' ownership).
NEEDS = {
    "filter_owner_id": "owner",
    "filter_team_id": "owner",
    "filter_pipeline_id": "pipeline",
    "filter_source": "source",
    "filter_lifecycle_stage": "lifecycle_stage",
}


class _Checker:
    def __init__(self, actor: Actor, data: dict[str, Any]) -> None:
        self.actor, self.data = actor, data
        self.errors: list[FieldError] = []
        self.ws = actor.workspace

    def fail(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field, message, code))

    def text(self, field: str, limit: int, *, required: bool = False) -> str:
        value = self.data.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, _("This field is required."), "required")
            return ""
        if not isinstance(value, str):
            self.fail(field, _("Send text."), "invalid_type")
            return ""
        value = " ".join(value.split())
        if len(value) > limit:
            self.fail(field, _("At most %(n)s characters.") % {"n": limit}, "too_long")
        return value

    def day(self, field: str) -> date | None:
        value = self.data.get(field)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except (TypeError, ValueError):
            self.fail(field, _("Send a day as YYYY-MM-DD."), "required" if not value else "invalid")
            return None

    def decimal(self, field: str) -> Decimal | None:
        value = self.data.get(field)
        try:
            number = Decimal(str(value)) if value not in (None, "") else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) > MAX_TARGET:
            self.fail(field, _("Send a number."), "required" if value in (None, "") else "invalid")
            return None
        return number.quantize(Decimal("0.0001"))

    def member(self, field: str) -> int | None:
        value = self.data.get(field)
        if value in (None, ""):
            return None
        found = Membership.objects.for_workspace(self.ws).filter(user_id=_int(value)).exists()
        if not found:
            self.fail(field, _("No member of this workspace has this id."), "not_found")
            return None
        return _int(value)

    def row(self, field: str, model: Any) -> int | None:
        value = self.data.get(field)
        if value in (None, ""):
            return None
        pk = _int(value)
        if pk is None or not model.objects.for_workspace(self.ws).filter(pk=pk).exists():
            self.fail(field, _("Nothing in this workspace has this id."), "not_found")
            return None
        return pk


def _int(value: Any) -> int | None:
    try:
        return int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _kpi_filters(c: _Checker, kpi: Kpi | None, clean: dict[str, Any]) -> None:
    """Each filter must be a dimension of the KPI; the segment valid on its record type."""
    if kpi is None:
        return
    for field, dimension in NEEDS.items():
        if clean.get(field) not in (None, "") and dimension not in kpi.dimensions:
            c.fail(field, _("This KPI cannot be cut by this filter."), "unsupported")
    segment, obj = clean.get("segment"), clean["segment_object"]
    if segment in (None, {}):
        clean["segment"] = None
        return
    if not isinstance(segment, dict):
        c.fail("segment", _("The segment must be a JSON object."), "invalid_type")
        return
    if obj not in kpi.segments:
        c.fail("segment", _("This KPI cannot be cut by a segment of these records."), "unsupported")
        return
    try:
        filters.validate_filter(obj, segment, actor=c.actor)
    except filters.BadFilter as exc:
        c.errors.extend(
            [
                FieldError("segment" + e.field.removeprefix(filters.ROOT), e.message, e.code)
                for e in exc.errors
            ]
            or [FieldError("segment", exc.detail)]
        )


def _parent(c: _Checker, goal: Goal | None, kpi: Kpi | None, clean: dict[str, Any]) -> None:
    """A quota's team goal: in the workspace, not itself, not a quota itself, the same KPI and
    measure, and a KPI that adds up; a goal with quotas cannot become one."""
    parent_id = clean.get("parent_id")
    if parent_id is None:
        return
    parent = Goal.objects.for_workspace(c.ws).filter(pk=parent_id).first()
    if parent is None or (goal is not None and parent.pk == goal.pk):
        c.fail("parent_id", _("A goal cannot be its own team goal."), "invalid")
    elif parent.parent_id is not None:
        c.fail("parent_id", _("A quota cannot have quotas: pick the team goal."), "invalid")
    elif goal is not None and Goal.objects.filter(parent=goal).exists():
        c.fail("parent_id", _("This goal has quotas: it cannot be a quota itself."), "invalid")
    elif parent.kpi_key != clean["kpi_key"] or parent.measure != clean["measure"]:
        same = _("A quota measures the same KPI, the same way, as its team goal.")
        c.fail("parent_id", same, "kpi_mismatch")
    elif kpi is not None and not rules.rolls_up(kpi):
        adds = _(
            "This KPI does not add up from rep to team (an average, a median, a rate or a "
            "ratio): it cannot have quotas."
        )
        c.fail("parent_id", adds, "not_additive")


def clean_goal(actor: Actor, data: dict[str, Any], goal: Goal | None = None) -> dict[str, Any]:
    """The goal's fields from ``data`` (on a change: merged over the goal's), or 422."""
    if goal is not None:
        data = {f: getattr(goal, f) for f in FIELDS} | data
    c = _Checker(actor, data)
    clean: dict[str, Any] = {"title": c.text("title", 200, required=True)}
    key = data.get("kpi_key")
    kpi = get(key) if isinstance(key, str) else None
    if kpi is None:
        c.fail("kpi_key", _("No KPI is called %(key)s.") % {"key": key}, "not_found")
    clean["kpi_key"] = key
    clean["measure"] = data.get("measure") or GoalMeasure.CUMULATIVE
    if clean["measure"] not in GoalMeasure.values:
        c.errors.append(choice_error("measure", clean["measure"], GoalMeasure.values))
    window = _int(data.get("window_days") if data.get("window_days") is not None else 90)
    if window is None or not 1 <= window <= MAX_DAYS:
        c.fail("window_days", _("Send a number of days from 1 to %(max)s.") % {"max": MAX_DAYS})
    clean["window_days"] = window or 90
    clean["filter_owner_id"] = c.member("filter_owner_id")
    clean["filter_team_id"] = c.row("filter_team_id", Team)
    clean["filter_pipeline_id"] = c.row("filter_pipeline_id", Pipeline)
    clean["filter_source"] = c.text("filter_source", 100)
    clean["filter_lifecycle_stage"] = c.text("filter_lifecycle_stage", 40)
    clean["segment_object"] = data.get("segment_object") or "person"
    if clean["segment_object"] not in ("person", "deal"):
        c.errors.append(choice_error("segment_object", clean["segment_object"], ["person", "deal"]))
    clean["segment"] = data.get("segment")
    _kpi_filters(c, kpi, clean)
    currency = c.text("currency", 9)
    clean["currency"] = currency if currency == "converted" else currency.upper()
    if clean["currency"] and kpi is not None and kpi.unit is not Unit.MONEY:
        c.fail("currency", _("Only a money KPI takes a currency."), "unsupported")
    elif clean["currency"] not in ("", "converted") and not (
        len(clean["currency"]) == 3 and clean["currency"].isalpha()
    ):
        c.fail("currency", _("Send three letters (BRL) or converted."), "invalid")
    clean["owner_id"] = c.member("owner_id")
    clean["team_id"] = c.row("team_id", Team)
    clean["tactic_id"] = c.row("tactic_id", Tactic)
    clean["starts_on"], clean["deadline"] = c.day("starts_on"), c.day("deadline")
    if clean["starts_on"] and clean["deadline"]:
        if clean["deadline"] < clean["starts_on"]:
            c.fail("deadline", _("The deadline comes before the start."), "invalid")
        elif (clean["deadline"] - clean["starts_on"]).days + 1 > MAX_DAYS:
            c.fail("deadline", _("A goal lasts at most three years."), "too_long")
    clean["target"] = c.decimal("target")
    clean["parent_id"] = c.row("parent_id", Goal)
    if not c.errors:
        _parent(c, goal, kpi, clean)
    changed_kpi = goal is not None and clean["kpi_key"] != goal.kpi_key
    if changed_kpi and not c.errors and Goal.objects.filter(parent=goal).exists():
        c.fail("kpi_key", _("This goal has quotas on its KPI: change theirs first."), "invalid")
    raise_if_any(c.errors)
    return clean


def _measure_if_started(actor: Actor, goal: Goal) -> Goal:
    """Measured at once when started (baseline, first reading); before, said not started."""
    return measure_goal(actor, goal, today=workspace_today(actor))


@transaction.atomic
def create_goal(*, actor: Actor, data: dict[str, Any]) -> Goal:
    require(actor, "strategy.manage")
    clean = clean_goal(actor, data)
    goal = Goal.objects.create(workspace=actor.workspace, created_by=actor.user, **clean)
    audit.record(actor, "goal.created", goal, changes={"title": [None, goal.title]})
    goal = _measure_if_started(actor, goal)
    if goal.parent_id is not None:
        _measure_if_started(actor, Goal.objects.get(pk=goal.parent_id))
    return goal


@transaction.atomic
def update_goal(*, actor: Actor, goal_id: int, data: dict[str, Any]) -> Goal:
    require(actor, "strategy.manage")
    goal = get_goal(actor, goal_id)
    clean = clean_goal(actor, data, goal)
    changes = {
        f: [_plain(getattr(goal, f)), _plain(v)] for f, v in clean.items() if getattr(goal, f) != v
    }
    old_parent = goal.parent_id
    for field, value in clean.items():
        setattr(goal, field, value)
    if any(f in changes for f in MEASURED):
        GoalReading.objects.filter(goal=goal).delete()
        goal.baseline = goal.baseline_start = goal.baseline_end = None
        goal.baseline_measured_at = goal.current = goal.forecast = None
    goal.closed_on = None
    goal.save()
    if changes:
        audit.record(actor, "goal.updated", goal, changes=changes)
    goal = _measure_if_started(actor, goal)
    for parent_id in {old_parent, goal.parent_id} - {None}:
        _measure_if_started(actor, Goal.objects.get(pk=parent_id))
    return goal


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | str | dict | list | None) else str(value)


@transaction.atomic
def delete_goal(*, actor: Actor, goal_id: int) -> None:
    require(actor, "strategy.manage")
    goal = get_goal(actor, goal_id)
    audit.record(actor, "goal.deleted", goal, changes={"title": [goal.title, None]})
    goal.delete()


def measure_now(*, actor: Actor, goal_id: int) -> Goal:
    """The "measure now" action: measure the goal (a team goal: its quotas first) today."""
    require(actor, "strategy.manage")
    goal = get_goal(actor, goal_id)
    return measure_goal(actor, goal)
