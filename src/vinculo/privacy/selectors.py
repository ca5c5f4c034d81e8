"""Reads of the privacy app: the request register, the access log, the erasure records."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts.models import Person
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.privacy.models import (
    OPEN_STATUSES,
    AccessRecord,
    DataSubjectRequest,
    ErasureRecord,
)


def requests(
    actor: Actor, *, status: str | None = None, overdue: bool = False
) -> QuerySet[DataSubjectRequest]:
    """The workspace's data-subject requests, soonest deadline first; ``overdue`` keeps the
    open ones whose legal deadline has passed."""
    require(actor, "privacy.manage")
    qs = DataSubjectRequest.objects.for_workspace(actor.workspace).select_related(
        "person", "handled_by", "erasure"
    )
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    return qs.order_by("due_at", "id")


def get_request(actor: Actor, request_id: int) -> DataSubjectRequest:
    """One request of the workspace; NotFound otherwise."""
    found = requests(actor).filter(pk=request_id).first()
    if found is None:
        raise NotFound(_("No request with id %(id)s.") % {"id": request_id})
    return found


def overdue_count(actor: Actor) -> int:
    """How many open requests are past their legal deadline."""
    return requests(actor, overdue=True).count()


def access_log(actor: Actor, person_id: int) -> QuerySet[AccessRecord]:
    """Who viewed or exported a person, newest first (the person may be erased already: the
    records hold only ids)."""
    require(actor, "privacy.manage")
    qs = AccessRecord.objects.filter(workspace=actor.workspace, person_id=person_id)
    if (
        not qs.exists()
        and not Person.objects.for_workspace(actor.workspace).filter(pk=person_id).exists()
    ):
        raise NotFound(_("No person with id %(id)s.") % {"id": person_id})
    return qs.select_related("user").order_by("-at", "-id")


def erasures(actor: Actor) -> QuerySet[ErasureRecord]:
    """The workspace's erasure records, newest first."""
    require(actor, "privacy.manage")
    return ErasureRecord.objects.for_workspace(actor.workspace).select_related("created_by")
