"""Erasure of a person (LGPD art. 18 IV and VI): purge the person, scrub every copy.

What happens, in one transaction:

1. the person and every record merged into them are purged (their rows, and by cascade their
   activities, timeline, consents, affiliations, events, purchases, identities, visitor links);
2. the rows known to be about them (audit entries, outbox events, webhook deliveries and
   attempts, form submissions, deals, merge records, requests) are scrubbed with every
   identifier, the first and last names included;
3. every text and JSON column of every workspace table (found through ``django.apps``) is
   scrubbed of the strong identifiers (email, phones, CPF, full name, external ids);
4. export files that mention them are deleted and their jobs marked expired;
5. an :class:`ErasureRecord` keeps the pseudonym, who, when and the counts per table, and the
   ``person.erased`` event tells webhook receivers to erase their copies.

The pseudonym (``erased-person-<hash>``) is stable per workspace and person, so audit entries
of one subject still read as one subject after the erasure.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity, TimelineEntry
from vinculo.contacts.models import Person
from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.models import AuditEntry, DomainEvent
from vinculo.core.permissions import require
from vinculo.events.models import PersonIdentity, Purchase, TrackedEvent, VisitorLink
from vinculo.events.services.rollup import moments_of, refresh_hours
from vinculo.integrations.models import WebhookAttempt, WebhookDelivery
from vinculo.privacy.models import (
    DataSubjectRequest,
    ErasureReason,
    ErasureRecord,
    RequestStatus,
)
from vinculo.privacy.scrub import Replacer, file_mentions, scrub_rows, scrub_workspace
from vinculo.quality.models import ExportJob, ImportJob, MergeRecord
from vinculo.sales.models import Deal
from vinculo.webforms.models import Submission

logger = logging.getLogger(__name__)

# Shorter values are too common to replace across the whole workspace.
MIN_STRONG = 6
MIN_WEAK = 2


def pseudonym(workspace_id: int, person_id: int) -> str:
    """The stable stand-in of an erased person: ``erased-person-<16 hex>`` (keyed hash)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"person:{workspace_id}:{person_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"erased-person-{digest[:16]}"


def _merged_group(workspace_id: int, person_id: int) -> list[int]:
    """The person and every record merged into them (the losers keep their old values)."""
    group, frontier = {person_id}, {person_id}
    while frontier:
        losers = set(
            MergeRecord.objects.filter(
                workspace_id=workspace_id, object_type="person", survivor_id__in=frontier
            ).values_list("loser_id", flat=True)
        )
        frontier = losers - group
        group |= frontier
    return sorted(group)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _identifiers(people: list[Person]) -> tuple[set[str], set[str]]:
    """(strong, weak) identifiers: strong ones are replaced everywhere in the workspace, weak
    ones (lone names, short custom values) only in rows known to be about the person."""
    strong: set[str] = set()
    weak: set[str] = set()
    for person in people:
        for value in (person.email, person.cpf, person.full_name):
            if value and len(value) >= MIN_STRONG:
                strong.add(value)
        for phone in (person.phone, person.mobile_phone):
            if phone and len(_digits(phone)) >= 8:
                strong |= {phone, _digits(phone)}
        if len(person.cpf) == 11:
            c = person.cpf
            strong.add(f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}")
        for value in (person.first_name, person.last_name, person.full_name):
            if value and len(value) >= MIN_WEAK:
                weak.add(value)
        for value in (person.custom_fields or {}).values():
            if isinstance(value, str) and len(value) >= 4:
                (strong if len(value) >= MIN_STRONG and "@" in value else weak).add(value)
    ids = [p.pk for p in people]
    for external_id in PersonIdentity.objects.filter(person_id__in=ids).values_list(
        "external_id", flat=True
    ):
        if len(external_id) >= MIN_STRONG:
            strong.add(external_id)
    for visitor_id in VisitorLink.objects.filter(person_id__in=ids).values_list(
        "visitor_id", flat=True
    ):
        if len(visitor_id) >= MIN_STRONG:
            strong.add(visitor_id)
    return strong, weak | strong


def _add(counts: dict[str, int], label: str, n: int) -> None:
    if n:
        counts[label] = counts.get(label, 0) + n


def _scrub_known_rows(workspace_id: int, ids: list[int], replacer: Replacer) -> dict[str, int]:
    """Rows about the subject, by reference: every identifier goes, lone names included."""
    counts: dict[str, int] = {}
    keys = [str(i) for i in ids]
    events_qs = DomainEvent.objects.filter(
        workspace_id=workspace_id, subject_type="person", subject_id__in=keys
    )
    event_ids = list(events_qs.values_list("pk", flat=True))
    deliveries = WebhookDelivery.objects.filter(workspace_id=workspace_id).filter(
        subject_key__in=[f"person:{k}" for k in keys]
    ) | WebhookDelivery.objects.filter(workspace_id=workspace_id, event_id__in=event_ids)
    delivery_ids = list(deliveries.values_list("pk", flat=True))
    deal_ids = list(
        Deal.objects.filter(workspace_id=workspace_id, person_id__in=ids).values_list(
            "pk", flat=True
        )
    )
    known = [
        AuditEntry.objects.filter(
            workspace_id=workspace_id,
            object_type__in=["contacts.person", "person"],
            object_id__in=keys,
        ),
        events_qs,
        WebhookDelivery.objects.filter(pk__in=delivery_ids),
        WebhookAttempt.objects.filter(workspace_id=workspace_id, delivery_id__in=delivery_ids),
        Submission.objects.filter(workspace_id=workspace_id, person_id__in=ids),
        Deal.objects.filter(pk__in=deal_ids),
        # Their deals' own history and activities name them too (the deals stay, unlinked).
        TimelineEntry.objects.filter(workspace_id=workspace_id, deal_id__in=deal_ids),
        Activity.objects.filter(workspace_id=workspace_id, deal_id__in=deal_ids),
        DataSubjectRequest.objects.filter(workspace_id=workspace_id, person_id__in=ids),
    ]
    for qs in known:
        _add(counts, qs.model._meta.label_lower, scrub_rows(qs, replacer, match=False))
    # The audit entries' shown name: the pseudonym, whatever it said.
    AuditEntry.objects.filter(
        workspace_id=workspace_id, object_type__in=["contacts.person", "person"], object_id__in=keys
    ).update(object_repr=replacer.pseudonym)
    return counts


def _expire_files(workspace_id: int, replacer: Replacer) -> dict[str, int]:
    """Delete the export (and import) files that mention the subject; mark their jobs expired."""
    counts: dict[str, int] = {}
    base = Path(settings.DATA_DIR)
    now = timezone.now()
    for model in (ExportJob, ImportJob):
        for job in model.objects.filter(workspace_id=workspace_id).exclude(file_path=""):
            path = base / job.file_path
            if not path.exists() or not file_mentions(path, replacer):
                continue
            path.unlink(missing_ok=True)
            if isinstance(job, ExportJob):
                ExportJob.objects.filter(pk=job.pk).update(
                    file_path="", file_size=None, expires_at=now
                )
            _add(counts, f"{model._meta.label_lower}.file", 1)
    return counts


def erase_person(
    *,
    actor: Actor,
    person_id: int,
    confirm: Any = None,
    reason: str = ErasureReason.REQUEST,
    request_id: int | None = None,
) -> ErasureRecord:
    """Erase a person (live or in the bin) and every copy of their data; irreversible.

    ``confirm`` must repeat the person's id (the API and the screen ask for it) unless the
    system erases (the bin purge). Only owners and admins may erase. Returns the erasure
    record, which holds no personal data.
    """
    require(actor, "privacy.erase")
    workspace_id = actor.workspace.pk
    with transaction.atomic():
        _locked_person(actor, person_id, confirm)
        request = _request_of(workspace_id, request_id)
        ids = _merged_group(workspace_id, person_id)
        people = list(Person.objects.for_workspace(workspace_id).filter(pk__in=ids))
        subject = pseudonym(workspace_id, person_id)
        counts = _purge_and_scrub(workspace_id, people, subject)
        record = ErasureRecord.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            subject=subject,
            reason=reason,
            counts=counts,
        )
        if request is not None:
            _complete_request(actor, request, record)
        audit.record(
            actor,
            "person.erased",
            object_type="contacts.person",
            object_id=subject,
            changes={"reason": reason, "erasure_id": record.pk, "rows": sum(counts.values())},
        )
        events.emit(
            "person.erased",
            actor=actor,
            subject_type="person",
            subject_id=person_id,
            payload={"subject": subject, "reason": reason},
        )
    logger.info("erased %s in workspace %s: %s", subject, workspace_id, counts)
    return record


def _locked_person(actor: Actor, person_id: int, confirm: Any) -> Person:
    """The person (live or in the bin), locked; refuses an unknown id and, unless the system
    erases, a ``confirm`` that does not repeat the id."""
    person = (
        Person.objects.for_workspace(actor.workspace.pk)
        .select_for_update()
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound(_("No person with id %(id)s.") % {"id": person_id})
    if not actor.is_system and str(confirm) != str(person_id):
        raise ValidationFailed.field(
            "confirm",
            _("Type the person's id (%(id)s) to confirm the erasure.") % {"id": person_id},
            "confirmation_required",
        )
    return person


def _request_of(workspace_id: int, request_id: int | None) -> DataSubjectRequest | None:
    """The data subject request the erasure answers (None: none given); refuses unknown ids."""
    if request_id is None:
        return None
    request = (
        DataSubjectRequest.objects.filter(workspace_id=workspace_id, pk=request_id).first()
        if isinstance(request_id, int) and 0 < request_id < 2**63
        else None
    )
    if request is None:
        raise ValidationFailed.field(
            "request_id", _("No request with id %(id)s.") % {"id": request_id}, "not_found"
        )
    return request


def _purge_and_scrub(workspace_id: int, people: list[Person], subject: str) -> dict[str, int]:
    """Steps 1 to 4 of the erasure (see the module's docstring) for ``people`` (the person and
    every record merged into them); the rows touched per table."""
    ids = [p.pk for p in people]
    strong, weak = _identifiers(people)
    strong_replacer = Replacer(strong, subject)
    counts = _scrub_known_rows(workspace_id, ids, Replacer(weak, subject))
    merges = MergeRecord.objects.filter(workspace_id=workspace_id, object_type="person")
    merged = merges.filter(survivor_id__in=ids) | merges.filter(loser_id__in=ids)
    _add(counts, "quality.mergerecord", merged.update(changes={"erased": subject}))
    visitors = list(VisitorLink.objects.filter(person_id__in=ids).values_list("visitor_id"))
    anonymous = TrackedEvent.objects.filter(
        workspace_id=workspace_id, person__isnull=True, visitor_id__in=[v[0] for v in visitors]
    )
    _deleted, by_table = anonymous.delete()
    for label, n in by_table.items():
        _add(counts, label.lower(), n)
    DataSubjectRequest.objects.filter(workspace_id=workspace_id, person_id__in=ids).update(
        subject=subject
    )
    bought = moments_of(Purchase.objects.filter(workspace_id=workspace_id, person_id__in=ids))
    _deleted, by_table = Person.objects.filter(pk__in=ids).delete()
    refresh_hours(workspace_id, bought)  # their purchases leave the roll-up too
    for label, n in by_table.items():
        _add(counts, label.lower(), n)
    for label, n in scrub_workspace(workspace_id, strong_replacer).items():
        _add(counts, label, n)
    for label, n in _expire_files(workspace_id, strong_replacer).items():
        _add(counts, label, n)
    return counts


def _complete_request(actor: Actor, request: DataSubjectRequest, record: ErasureRecord) -> None:
    request.refresh_from_db()  # the scrub rewrote its text, the purge its person
    request.erasure = record
    request.subject = record.subject
    request.status = RequestStatus.COMPLETED
    request.completed_at = timezone.now()
    request.handled_by = actor.user or request.handled_by
    request.save()
