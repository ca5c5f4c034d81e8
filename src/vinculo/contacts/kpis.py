"""The contacts KPIs (registered in :class:`vinculo.contacts.apps.ContactsConfig`): new people,
new leads and new customers, lead-to-customer conversion, referrals and CAC (the last two in
:mod:`vinculo.contacts.acquisition`). A person counts once per period however many times they
entered the stage in it; binned people are left out. docs/kpis.md gives the definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from vinculo.contacts.acquisition import cac, referred_people, spend_rows
from vinculo.contacts.cohorts import churn_moves
from vinculo.contacts.models import LifecycleChange, LifecycleStage, Person
from vinculo.contacts.selectors import without_binned
from vinculo.core.kpis import Aggregate, Direction, Kpi, Scope, Unit, register

PERSON_DIMENSIONS = {
    "owner": "owner_id",
    "source": "source",
    "lifecycle_stage": "lifecycle_stage__key",
}
CHANGE_DIMENSIONS = {
    "owner": "person__owner_id",
    "source": "person__source",
}


def _people(scope: Scope) -> QuerySet:
    return Person.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)


def _stage_ids(workspace: Any, key: str) -> list[int]:
    """The id of the workspace's stage ``key`` (none when it has no such stage): the changes
    are then read by (workspace, stage, time) without joining the stages."""
    return list(
        LifecycleStage.objects.for_workspace(workspace).filter(key=key).values_list("pk", flat=True)
    )


def _entered(stage_key: str) -> Callable[[Scope], QuerySet]:
    def rows(scope: Scope) -> QuerySet:
        entries = LifecycleChange.objects.for_workspace(scope.workspace).filter(
            to_stage_id__in=_stage_ids(scope.workspace, stage_key)
        )
        return without_binned(entries, scope.workspace)

    return rows


def _leads_converted(scope: Scope) -> QuerySet:
    """Each entry into "lead", with whether that person entered "customer" at or after it."""
    became_customer = LifecycleChange.objects.filter(
        person_id=OuterRef("person_id"),
        to_stage_id__in=_stage_ids(scope.workspace, "customer"),
        changed_at__gte=OuterRef("changed_at"),
    )
    return _entered("lead")(scope).annotate(kpi_converted=Exists(became_customer))


def _churned(scope: Scope) -> QuerySet:
    return without_binned(churn_moves(scope.workspace), scope.workspace)


def _entries(key: str, stage_key: str, name: Any, definition: Any) -> Kpi:
    """People who entered a lifecycle stage in the period, each once."""
    return Kpi(
        key=key,
        app="contacts",
        name=name,
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=definition,
        rows=_entered(stage_key),
        time="changed_at",
        value="person_id",
        aggregate=Aggregate.DISTINCT,
        dimensions=CHANGE_DIMENSIONS,
        segments={"person": "person_id"},
    )


KPIS = (
    Kpi(
        key="new_people",
        app="contacts",
        name=_("New people"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_("People added in the period (by hand, import, form or API)."),
        rows=_people,
        time="created_at",
        dimensions=PERSON_DIMENSIONS,
        segments={"person": "pk"},
    ),
    _entries(
        "new_leads",
        "lead",
        _("New leads"),
        _("People who entered the lifecycle stage “lead” in the period."),
    ),
    _entries(
        "new_customers",
        "customer",
        _("New customers"),
        _("People who entered the lifecycle stage “customer” in the period."),
    ),
    Kpi(
        key="lead_to_customer",
        app="contacts",
        name=_("Lead-to-customer conversion"),
        unit=Unit.PERCENT,
        good=Direction.UP,
        definition=_(
            "Of the people who became leads in the period, the share who have become customers "
            "since (so a recent period's rate still grows)."
        ),
        rows=_leads_converted,
        time="changed_at",
        value="kpi_converted",
        aggregate=Aggregate.RATE,
        dimensions=CHANGE_DIMENSIONS,
        segments={"person": "person_id"},
    ),
    Kpi(
        key="referrals",
        app="contacts",
        name=_("Referrals"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_(
            "People added in the period whose source names a referral (“indicação”, "
            "“referral”…); by source, each referral source apart."
        ),
        rows=referred_people,
        time="created_at",
        dimensions=PERSON_DIMENSIONS,
        segments={"person": "pk"},
    ),
    Kpi(
        key="cac",
        app="contacts",
        name=_("Customer acquisition cost"),
        unit=Unit.MONEY,
        good=Direction.DOWN,
        definition=_(
            "The marketing spend entered for the period (each month's spread over its days) "
            "divided by the new customers; by source, each channel's spend over the new "
            "customers from that source."
        ),
        rows=spend_rows,
        aggregate=Aggregate.RATIO,
        time="month",
        dimensions={"source": "channel"},
        compute=cac,
    ),
    Kpi(
        key="customers_churned",
        app="contacts",
        name=_("Customers lost"),
        unit=Unit.COUNT,
        good=Direction.DOWN,
        definition=_(
            "People who left a customer stage in the period (the growth or advocacy phase) for "
            "another stage, or for a stage whose key says they left (churned, churn, lost, "
            "ex_customer, former_customer); each once."
        ),
        rows=_churned,
        time="changed_at",
        value="person_id",
        aggregate=Aggregate.DISTINCT,
        dimensions=CHANGE_DIMENSIONS,
        segments={"person": "person_id"},
    ),
)


def register_all() -> None:
    for kpi in KPIS:
        register(kpi)
