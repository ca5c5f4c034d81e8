"""Reminding the plan's owners of a review coming up: a week before a scheduled review (once),
the objectives' and tactics' owners and the workspace's managers (else its owners and admins)
are told in the app and by email, and asked to prepare (the review's page: its figures can be
frozen ahead)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vinculo.core import notifications, schedule
from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_today
from vinculo.core.tenancy import Membership, Role, User
from vinculo.strategy.models import Objective, Review, ReviewStatus, Tactic

AHEAD = timedelta(days=7)
CODE = "review.coming"


def _words(params: dict[str, Any]) -> str:
    day = date_format(date.fromisoformat(params["held_on"]), "SHORT_DATE_FORMAT")
    title = params["title"] or _("Review of %(date)s") % {"date": params["held_on"]}
    words = _("The plan review “%(title)s” is on %(date)s: prepare the findings and decisions.")
    return words % {"title": title, "date": day}


def register_notices() -> None:
    notifications.register(CODE, _words)


def recipients(review: Review) -> list[User]:
    """Who owns part of the plan, and the managers (else the owners and admins)."""
    ws = review.workspace_id
    owners = set(
        Objective.objects.for_workspace(ws).exclude(owner=None).values_list("owner", flat=True)
    ) | set(Tactic.objects.for_workspace(ws).exclude(owner=None).values_list("owner", flat=True))
    members = Membership.objects.for_workspace(ws).filter(is_active=True)
    leads = members.filter(role=Role.MANAGER) or members.filter(role__in=[Role.OWNER, Role.ADMIN])
    ids = owners | set(leads.values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids))


def remind_workspace(actor: Actor) -> int:
    """Remind of each scheduled review within the next week not reminded yet; how many."""
    today = workspace_today(actor)
    due = Review.objects.for_workspace(actor.workspace).filter(
        status=ReviewStatus.SCHEDULED,
        reminded_at__isnull=True,
        held_on__gte=today,
        held_on__lte=today + AHEAD,
    )
    done = 0
    for review in due:
        with transaction.atomic():
            notifications.notify(
                actor.workspace,
                recipients(review),
                CODE,
                {"review_id": review.pk, "title": review.title,  # "": worded when read
                 "held_on": review.held_on.isoformat()},
                link=reverse("strategy:review", args=[review.pk]),
                email=True,
            )  # fmt: skip
            Review.objects.filter(pk=review.pk).update(reminded_at=timezone.now())
        done += 1
    return done


def remind_all_workspaces() -> int:
    return schedule.each_workspace(remind_workspace, "Reminding the reviews")
