"""Writing reviews: schedule the next one (every ``plan.review_every_months``), change its
title, date and findings, freeze it (its snapshot, :mod:`.snapshot`), hold it (frozen, then the
next one scheduled), and record decisions, each made a task for its owner."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.services.activity import create_task
from vinculo.core import validators
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed, raise_if_any
from vinculo.core.filters.context import workspace_tz
from vinculo.core.permissions import require
from vinculo.core.tenancy import Membership
from vinculo.strategy.models import Decision, Plan, Review, ReviewStatus
from vinculo.strategy.reviews import snapshot

MAX_FINDINGS = validators.MAX_LONG_TEXT


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _review(actor: Actor, review_id: int) -> Review:
    review = (
        Review.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotFound(_("No review has this id."))
    return review


def schedule_next(actor: Actor, plan: Plan, *, after: date | None = None) -> Review:
    """The plan's next scheduled review (made, ``review_every_months`` after ``after`` or
    today, when none is scheduled); the plan's ``next_review_on`` follows it."""
    scheduled = (
        Review.objects.for_workspace(actor.workspace)
        .filter(plan=plan, status=ReviewStatus.SCHEDULED)
        .order_by("held_on", "id")
        .first()
    )
    if scheduled is None:
        start = after or timezone.localdate(timezone=workspace_tz(actor))
        day = plan.next_review_on if plan.next_review_on and not after else None
        day = day or add_months(start, plan.review_every_months or 3)
        scheduled = Review.objects.create(
            workspace=actor.workspace,
            plan=plan,
            title="",
            held_on=day,
            created_by=actor.user,
        )
    if plan.next_review_on != scheduled.held_on:
        plan.next_review_on = scheduled.held_on
        plan.save(update_fields=["next_review_on", "updated_at"])
    return scheduled


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    if "title" in data:
        title = str(data.get("title") or "").strip()
        if len(title) > 150:
            errors.append(FieldError("title", _("At most 150 characters."), "too_long"))
        out["title"] = title
    if "held_on" in data:
        raw = data.get("held_on")
        try:
            out["held_on"] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            errors.append(FieldError("held_on", _("Enter a date as YYYY-MM-DD.")))
    if "findings" in data:
        findings = str(data.get("findings") or "")
        if len(findings) > MAX_FINDINGS:
            errors.append(
                FieldError("findings", _("At most %(n)s characters.") % {"n": MAX_FINDINGS})
            )
        out["findings"] = findings
    raise_if_any(errors)
    return out


def create_review(actor: Actor, plan: Plan, data: Mapping[str, Any]) -> Review:
    """An extra review (besides the scheduled ones) on ``held_on``."""
    require(actor, "strategy.manage")
    cleaned = _clean({"held_on": data.get("held_on"), **data})
    cleaned.setdefault("title", "")
    with transaction.atomic():
        review = Review.objects.create(
            workspace=actor.workspace, plan=plan, created_by=actor.user, **cleaned
        )
        if plan.next_review_on is None or review.held_on < plan.next_review_on:
            plan.next_review_on = review.held_on
            plan.save(update_fields=["next_review_on", "updated_at"])
    return review


def update_review(actor: Actor, review_id: int, data: Mapping[str, Any]) -> Review:
    """Change a review's title, date (not once held) or findings."""
    require(actor, "strategy.manage")
    cleaned = _clean(data)
    with transaction.atomic():
        review = _review(actor, review_id)
        held = review.status == ReviewStatus.HELD
        if held and "held_on" in cleaned and cleaned["held_on"] != review.held_on:
            raise ValidationFailed.field(
                "held_on", _("A review already held keeps its date."), "invalid"
            )
        for key, value in cleaned.items():
            setattr(review, key, value)
        review.save()
    return review


def freeze(actor: Actor, review_id: int) -> Review:
    """Take (or take again, while not held) the review's snapshot of goals, KPIs, budgets."""
    require(actor, "strategy.manage")
    with transaction.atomic():
        review = _review(actor, review_id)
        if review.status == ReviewStatus.HELD:
            raise Conflict(_("This review is held: its figures stay as they were."))
        review.snapshot = snapshot.take(actor, review)
        review.frozen_at = timezone.now()
        review.save(update_fields=["snapshot", "frozen_at", "updated_at"])
    return review


def hold(actor: Actor, review_id: int) -> Review:
    """Close the review: frozen now unless it was, marked held, the next one scheduled."""
    require(actor, "strategy.manage")
    with transaction.atomic():
        review = _review(actor, review_id)
        if review.status == ReviewStatus.HELD:
            raise Conflict(_("This review is held already."))
        if review.frozen_at is None:
            review.snapshot = snapshot.take(actor, review)
            review.frozen_at = timezone.now()
        review.status = ReviewStatus.HELD
        review.save()
        schedule_next(actor, review.plan, after=review.held_on)
    return review


def _member(actor: Actor, user_id: Any) -> int | None:
    if user_id in (None, ""):
        return None
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        uid = -1
    if not Membership.objects.for_workspace(actor.workspace).filter(user_id=uid).exists():
        raise ValidationFailed.field("owner_id", _("Choose a member of this workspace."))
    return uid


def add_decision(actor: Actor, review_id: int, data: Mapping[str, Any]) -> Decision:
    """A decision of the review, made a task for its owner (due at the end of ``due_on`` in
    the workspace's time zone); the task's text says which review decided it."""
    require(actor, "strategy.manage")
    text = str(data.get("text") or "").strip()
    errors: list[FieldError] = []
    if not text:
        errors.append(FieldError("text", _("Say what was decided."), "required"))
    elif len(text) > 300:
        errors.append(FieldError("text", _("At most 300 characters."), "too_long"))
    due: date | None = None
    if data.get("due_on") not in (None, ""):
        raw = data["due_on"]
        try:
            due = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            errors.append(FieldError("due_on", _("Enter a date as YYYY-MM-DD.")))
    raise_if_any(errors)
    with transaction.atomic():
        review = _review(actor, review_id)
        owner = _member(actor, data.get("owner_id"))
        task_data: dict[str, Any] = {
            "subject": text[:200],
            "body": _("Decided in the review “%(review)s” (%(date)s).")
            % {"review": review.shown_title, "date": review.held_on.isoformat()},
            "assignee_id": owner or (actor.user.pk if actor.user else None),
        }
        if due is not None:
            task_data["due_at"] = datetime.combine(due, time(18, 0), tzinfo=workspace_tz(actor))
        task = create_task(actor=actor, data=task_data)
        return Decision.objects.create(
            workspace=actor.workspace,
            review=review,
            text=text,
            owner_id=owner,
            due_on=due,
            task=task,
            created_by=actor.user,
        )


def delete_decision(actor: Actor, decision_id: int, *, review_id: int | None = None) -> None:
    """Remove a decision (its task stays, as tasks are the team's to close)."""
    require(actor, "strategy.manage")
    decisions = Decision.objects.for_workspace(actor.workspace).filter(pk=decision_id)
    if review_id is not None:
        decisions = decisions.filter(review_id=review_id)
    deleted, _rows = decisions.delete()
    if not deleted:
        raise NotFound(_("No decision has this id."))
