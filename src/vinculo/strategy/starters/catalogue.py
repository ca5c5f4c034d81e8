"""The draft plans a workspace can start from, one per kind of business. Texts are written in
the workspace's language when the draft is applied (they become the workspace's own data, to
edit); each goal's target is set from the baseline measured on the workspace's data (``lift``)
or, where there is no data yet, from ``floor``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class GoalDraft:
    """A goal on ``kpi``: ``lift`` is the relative change of the baseline the target asks for
    (+0.2: 20 % more; for a KPI whose good direction is down, a negative lift lowers it),
    ``points`` an absolute change for percentages (+0.05: five points), ``floor`` the target
    when the baseline is empty or zero. Counts and money are totals since the start
    (cumulative); rates and durations are levels over a rolling window."""

    title: Any
    kpi: str
    months: int = 3
    lift: Decimal = Decimal("0.2")
    points: Decimal | None = None
    floor: Decimal = Decimal("10")
    level: bool = False


@dataclass(frozen=True)
class TacticDraft:
    title: Any
    description: Any = ""
    budget: Decimal | None = None
    hours: Decimal | None = None
    months: int = 3
    goals: tuple[GoalDraft, ...] = ()


@dataclass(frozen=True)
class StrategyDraft:
    function: str
    title: Any
    tactics: tuple[TacticDraft, ...] = ()


@dataclass(frozen=True)
class ObjectiveDraft:
    kind: str
    title: Any
    description: Any = ""
    new_customers: int | None = None  # the annual value per customer comes from the calculator
    strategies: tuple[StrategyDraft, ...] = ()


@dataclass(frozen=True)
class TouchpointDraft:
    stage: str  # a default lifecycle stage key
    department: str
    channel: str
    policy_kind: str = ""
    amount: int | None = None
    unit: str = ""
    note: Any = ""
    kpi: str = ""


@dataclass(frozen=True)
class Starter:
    key: str
    label: Any
    summary: Any
    objectives: tuple[ObjectiveDraft, ...]
    touchpoints: tuple[TouchpointDraft, ...] = field(default=())
    review_every_months: int = 3


D = Decimal
REPLY_FAST = TouchpointDraft(
    "lead", "sales", "whatsapp", "reply_within", 2, "business_hours",
    _("Every new lead hears from a person the same business day."), "lead_response_1h",
)  # fmt: skip
QUIET_EMAIL = TouchpointDraft(
    "subscriber", "marketing", "email", "at_most", 2, "week",
    _("At most two marketing emails a week, only with consent."),
)  # fmt: skip
SERVICE_REPLY = TouchpointDraft(
    "customer", "service", "email", "reply_within", 8, "business_hours",
    _("Customers' questions answered within one business day."), "customers_churned",
)  # fmt: skip

STARTERS: tuple[Starter, ...] = (
    Starter(
        key="b2b_services",
        label=_("B2B services (agency, consultancy, software)"),
        summary=_("Few, valuable customers won through a sales process and kept by service."),
        objectives=(
            ObjectiveDraft(
                "grow_revenue",
                _("Win more customers of the right profile"),
                _("New customers times the annual value of a customer."),
                new_customers=24,
                strategies=(
                    StrategyDraft(
                        "marketing",
                        _("Attract qualified leads"),
                        (
                            TacticDraft(
                                _("Monthly webinar with a partner"),
                                budget=D("3000"),
                                hours=D("40"),
                                goals=(
                                    GoalDraft(
                                        _("New leads this quarter"), "new_leads", floor=D("60")
                                    ),
                                ),
                            ),
                        ),
                    ),
                    StrategyDraft(
                        "sales",
                        _("A sales process that converts"),
                        (
                            TacticDraft(
                                _("Reply to every lead within an hour"),
                                hours=D("20"),
                                goals=(
                                    GoalDraft(
                                        _("Leads touched within an hour"),
                                        "lead_response_1h",
                                        points=D("0.15"),
                                        floor=D("0.6"),
                                        level=True,
                                    ),
                                ),
                            ),
                            TacticDraft(
                                _("Weekly pipeline review"),
                                hours=D("26"),
                                goals=(
                                    GoalDraft(
                                        _("Win rate"),
                                        "win_rate",
                                        points=D("0.05"),
                                        floor=D("0.25"),
                                        level=True,
                                    ),
                                    GoalDraft(
                                        _("New revenue this quarter"),
                                        "new_revenue",
                                        floor=D("100000"),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            ObjectiveDraft(
                "retain",
                _("Keep the customers we have"),
                strategies=(
                    StrategyDraft(
                        "service",
                        _("Look after every account"),
                        (
                            TacticDraft(
                                _("Quarterly business review with key accounts"),
                                hours=D("30"),
                                goals=(
                                    GoalDraft(
                                        _("Customers lost this quarter"),
                                        "customers_churned",
                                        lift=D("-0.3"),
                                        floor=D("2"),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        touchpoints=(
            REPLY_FAST,
            QUIET_EMAIL,
            SERVICE_REPLY,
            TouchpointDraft(
                "opportunity",
                "sales",
                "meeting",
                "at_least",
                1,
                "week",
                _("An open deal gets a meeting or call every week."),
                "meetings",
            ),
        ),
    ),
    Starter(
        key="ecommerce",
        label=_("E-commerce (online store)"),
        summary=_("Many customers buying again and again: retention and repeat purchases."),
        objectives=(
            ObjectiveDraft(
                "grow_revenue",
                _("Grow online revenue"),
                new_customers=1200,
                strategies=(
                    StrategyDraft(
                        "marketing",
                        _("Bring buyers back"),
                        (
                            TacticDraft(
                                _("Post-purchase email sequence"),
                                budget=D("1500"),
                                hours=D("24"),
                                goals=(
                                    GoalDraft(
                                        _("Repeat purchase rate"),
                                        "repeat_purchase_rate",
                                        points=D("0.05"),
                                        floor=D("0.25"),
                                        level=True,
                                    ),
                                    GoalDraft(_("Orders this quarter"), "orders", floor=D("500")),
                                ),
                            ),
                            TacticDraft(
                                _("Win-back campaign for lapsed buyers"),
                                budget=D("2000"),
                                goals=(
                                    GoalDraft(
                                        _("Customers at risk"),
                                        "customers_at_risk",
                                        lift=D("-0.2"),
                                        floor=D("50"),
                                        level=True,
                                    ),
                                ),
                            ),
                        ),
                    ),
                    StrategyDraft(
                        "sales",
                        _("Bigger baskets"),
                        (
                            TacticDraft(
                                _("Bundles and free-shipping threshold"),
                                hours=D("16"),
                                goals=(
                                    GoalDraft(
                                        _("Average order value"),
                                        "average_order_value",
                                        lift=D("0.1"),
                                        floor=D("150"),
                                        level=True,
                                    ),
                                    GoalDraft(
                                        _("Revenue this quarter"),
                                        "purchase_revenue",
                                        floor=D("50000"),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            ObjectiveDraft(
                "retain",
                _("Keep buyers buying"),
                strategies=(
                    StrategyDraft(
                        "service",
                        _("Fast, friendly after-sales"),
                        (
                            TacticDraft(
                                _("Answer every order question the same day"),
                                hours=D("60"),
                                goals=(
                                    GoalDraft(
                                        _("Retention rate"),
                                        "retention_rate",
                                        points=D("0.05"),
                                        floor=D("0.3"),
                                        level=True,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        touchpoints=(
            QUIET_EMAIL,
            SERVICE_REPLY,
            TouchpointDraft(
                "customer",
                "marketing",
                "whatsapp",
                "at_most",
                1,
                "week",
                _("At most one WhatsApp offer a week, only with consent."),
            ),
        ),
    ),
    Starter(
        key="education",
        label=_("Education and courses"),
        summary=_("Enrolments in cycles: leads nurtured to enrolment, students kept to the end."),
        objectives=(
            ObjectiveDraft(
                "grow_revenue",
                _("Fill the next classes"),
                new_customers=150,
                strategies=(
                    StrategyDraft(
                        "marketing",
                        _("Nurture leads until enrolment"),
                        (
                            TacticDraft(
                                _("Open class every month"),
                                budget=D("2500"),
                                hours=D("30"),
                                goals=(
                                    GoalDraft(
                                        _("New leads this quarter"), "new_leads", floor=D("300")
                                    ),
                                ),
                            ),
                        ),
                    ),
                    StrategyDraft(
                        "sales",
                        _("Convert interested leads"),
                        (
                            TacticDraft(
                                _("Call every lead within a day"),
                                hours=D("50"),
                                goals=(
                                    GoalDraft(
                                        _("Leads touched within a day"),
                                        "lead_response_1d",
                                        points=D("0.1"),
                                        floor=D("0.8"),
                                        level=True,
                                    ),
                                    GoalDraft(
                                        _("Lead to customer conversion"),
                                        "lead_to_customer",
                                        points=D("0.03"),
                                        floor=D("0.1"),
                                        level=True,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            ObjectiveDraft(
                "retain",
                _("Keep students to the end of the course"),
                strategies=(
                    StrategyDraft(
                        "service",
                        _("Follow every student"),
                        (
                            TacticDraft(
                                _("Monthly check-in with each student"),
                                hours=D("40"),
                                goals=(
                                    GoalDraft(
                                        _("Students lost this quarter"),
                                        "customers_churned",
                                        lift=D("-0.25"),
                                        floor=D("5"),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        touchpoints=(REPLY_FAST, QUIET_EMAIL, SERVICE_REPLY),
    ),
    Starter(
        key="health_clinic",
        label=_("Health clinic"),
        summary=_("Patients booked fast, reminded, and brought back for their return visits."),
        objectives=(
            ObjectiveDraft(
                "grow_revenue",
                _("More patients seen"),
                new_customers=400,
                strategies=(
                    StrategyDraft(
                        "sales",
                        _("Book every enquiry"),
                        (
                            TacticDraft(
                                _("Answer enquiries on WhatsApp within an hour"),
                                hours=D("60"),
                                goals=(
                                    GoalDraft(
                                        _("Enquiries answered within an hour"),
                                        "lead_response_1h",
                                        points=D("0.2"),
                                        floor=D("0.7"),
                                        level=True,
                                    ),
                                    GoalDraft(
                                        _("New patients this quarter"),
                                        "new_customers",
                                        floor=D("100"),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            ObjectiveDraft(
                "retain",
                _("Bring patients back for their return visits"),
                strategies=(
                    StrategyDraft(
                        "service",
                        _("Reminders and follow-up"),
                        (
                            TacticDraft(
                                _("Return-visit reminders"),
                                budget=D("500"),
                                hours=D("20"),
                                goals=(
                                    GoalDraft(
                                        _("Repeat visit rate"),
                                        "repeat_purchase_rate",
                                        points=D("0.05"),
                                        floor=D("0.3"),
                                        level=True,
                                    ),
                                ),
                            ),
                        ),
                    ),
                    StrategyDraft(
                        "management",
                        _("Keep the data clean"),
                        (
                            TacticDraft(
                                _("Weekly clean-up of duplicates and missing phones"),
                                hours=D("12"),
                                goals=(
                                    GoalDraft(
                                        _("Data quality score"),
                                        "data_quality_score",
                                        lift=D("0.1"),
                                        floor=D("80"),
                                        level=True,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        touchpoints=(
            REPLY_FAST,
            SERVICE_REPLY,
            TouchpointDraft(
                "customer",
                "service",
                "sms",
                "at_most",
                2,
                "week",
                _("At most two reminders a week."),
            ),
        ),
    ),
)


def starter(key: str) -> Starter | None:
    return next((s for s in STARTERS if s.key == key), None)
