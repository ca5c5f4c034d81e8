"""The fields of the plan's forms (one template draws them all): what each item asks for, its
label, its kind of input and the choices a select offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from vinculo.core.actor import Actor
from vinculo.core.tenancy import Membership, Team
from vinculo.strategy.models import Function, ObjectiveKind, TacticStatus
from vinculo.strategy.plan import selectors


@dataclass(frozen=True)
class Input:
    name: str
    label: Any
    kind: str = "text"  # text, textarea, select, number, decimal, hours, date, currency
    required: bool = False
    choices: str = ""  # the context key of the (value, label) list of a select
    hint: Any = ""


FIELDS: dict[str, list[Input]] = {
    "objective": [
        Input("title", _("Title"), required=True),
        Input("kind", _("Kind"), "select", choices="objective_kinds"),
        Input("new_customers", _("New customers"), "number"),
        Input(
            "customer_value",
            _("Annual value per customer"),
            "decimal",
            hint=_("Fill it from the KPIs (CLV or revenue per customer), or type your own."),
        ),
        Input("cost_reduced", _("Cost reduced"), "decimal"),
        Input("currency", _("Currency"), "currency"),
        Input("owner_id", _("Owner"), "select", choices="members"),
        Input("due_on", _("Deadline"), "date"),
        Input("description", _("Description"), "textarea"),
    ],
    "strategy": [
        Input("objective_id", _("Objective"), "select", required=True, choices="objectives"),
        Input("function", _("Function"), "select", required=True, choices="functions"),
        Input("title", _("Title"), required=True),
        Input("owner_id", _("Owner"), "select", choices="members"),
        Input("description", _("Description"), "textarea"),
    ],
    "tactic": [
        Input("strategy_id", _("Strategy"), "select", required=True, choices="strategies"),
        Input("title", _("Title"), required=True),
        Input("owner_id", _("Owner"), "select", choices="members"),
        Input("team_id", _("Team"), "select", choices="teams"),
        Input("budget_amount", _("Budget"), "decimal"),
        Input("budget_currency", _("Currency"), "currency"),
        Input("budget_hours", _("Budget (hours)"), "hours"),
        Input("starts_on", _("Start"), "date"),
        Input("ends_on", _("End"), "date"),
        Input("status", _("Status"), "select", choices="tactic_statuses"),
        Input("description", _("Description"), "textarea"),
    ],
}
PLAN_FIELDS = [
    Input("title", _("Title"), hint=_("Leave it empty for the default title.")),
    Input("review_every_months", _("Review every (months)"), "number", required=True),
    Input("next_review_on", _("Next review"), "date"),
    Input("summary", _("Summary"), "textarea"),
]
SPEND_FIELDS = [
    Input("spent_on", _("Date"), "date", required=True),
    Input("amount", _("Amount"), "decimal"),
    Input("currency", _("Currency"), "currency", hint=_("Empty: the budget's currency.")),
    Input("hours", _("Hours"), "hours"),
    Input("note", _("Note")),
]


def choices(actor: Actor, kind: str) -> dict[str, list[tuple[Any, Any]]]:
    """The selects' options the form of ``kind`` needs (each list read once)."""
    wanted = {f.choices for f in FIELDS.get(kind, [])}
    out: dict[str, list[tuple[Any, Any]]] = {
        "objective_kinds": list(ObjectiveKind.choices),
        "functions": list(Function.choices),
        "tactic_statuses": list(TacticStatus.choices),
    }
    if "members" in wanted:
        out["members"] = [
            (m.user_id, str(m.user))
            for m in Membership.objects.for_workspace(actor.workspace)
            .filter(is_active=True, user__is_active=True)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        ]
    if "teams" in wanted:
        out["teams"] = [(t.pk, t.name) for t in Team.objects.for_workspace(actor.workspace)]
    if "objectives" in wanted:
        out["objectives"] = [(o.pk, o.title) for o in selectors.objectives(actor)]
    if "strategies" in wanted:
        out["strategies"] = [
            (s.pk, f"{s.objective.title} · {s.title}")
            for s in selectors.strategies(actor).select_related("objective")
        ]
    return out
