"""Merge that loses nothing: two people (or companies) become one, and the merge can be undone.

The survivor takes the best value of each field by the rules of :func:`propose` (the user may
pick the other side per field); deals, activities, timeline, tags, consent and its history,
affiliations, lifecycle history and custom fields move over through each app's services. A
:class:`MergeRecord` keeps exactly what moved, so :func:`undo_merge` puts it all back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from vinculo.activities import services as activity_services
from vinculo.contacts import services as contact_services
from vinculo.core import audit, events, timeline, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from vinculo.core.movers import movers
from vinculo.core.permissions import require
from vinculo.quality.matching.normalise import plain
from vinculo.quality.models.duplicates import (
    CandidateStatus,
    DuplicateCandidate,
    MergeRecord,
    RecordType,
)
from vinculo.quality.selectors.duplicates import duplicate_kin, match_model, records_by_id
from vinculo.sales import services as deal_services

SURVIVOR, LOSER = "survivor", "loser"

# Why a side was chosen; shown next to each field on the merge screen.
RULES = {
    "same": gettext_lazy("same value"),
    "not_empty": gettext_lazy("non-empty beats empty"),
    "valid": gettext_lazy("valid beats invalid"),
    "accents": gettext_lazy("same name, written with its accents"),
    "complete": gettext_lazy("longer, more complete name"),
    "majority": gettext_lazy("the value most of the duplicate records share"),
    "recent": gettext_lazy("most recently updated record wins"),
    "survivor_custom": gettext_lazy("survivor's value, else the other's"),
    "picked": gettext_lazy("picked by you"),
}

_VALIDATORS = {
    "email": validators.clean_email,
    "phone": validators.clean_phone,
    "mobile_phone": validators.clean_phone,
    "cpf": validators.clean_cpf,
    "cnpj": validators.clean_cnpj,
    "website": validators.clean_url,
}
_NAME_FIELDS = frozenset({"first_name", "last_name", "name", "legal_name"})


@dataclass
class FieldChoice:
    """One field of a merge: both values, the side chosen and the rule that chose it."""

    name: str
    survivor: Any
    loser: Any
    pick: str
    rule: str

    @property
    def differs(self) -> bool:
        return self.rule != "same"

    @property
    def rule_text(self) -> str:
        return str(RULES[self.rule])


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _valid(name: str, value: Any) -> bool:
    try:
        _VALIDATORS[name](value, name)
    except ValidationFailed:
        return False
    return True


def _accents(value: Any) -> int:
    return sum(1 for c in str(value) if ord(c) > 127)


def _extends(longer: str, shorter: str) -> bool:
    """Whether the (plain) name ``longer`` is ``shorter`` with more words: "maria aparecida"
    extends "maria"; "costta" does not extend "costa" (that is a disagreement)."""
    words = longer.split()
    rest = list(words)
    for word in shorter.split():
        if word not in rest:
            return False
        rest.remove(word)
    return len(words) > len(shorter.split())


def _vote_key(name: str, value: Any) -> Any:
    # Names agree whatever their accents, case or punctuation; other text whatever its case.
    if name in _NAME_FIELDS:
        return plain(str(value))
    return value.strip().casefold() if isinstance(value, str) else value


def _choose(
    name: str,
    mine: Any,
    theirs: Any,
    newer: str | None,
    others: Callable[[str], list[Any]],
) -> tuple[str, str]:
    """The side whose value a merge keeps, and the rule that chose it. ``newer`` is the side
    updated last (None: both at once); ``others(name)`` the field's values on the other records
    of the pair's duplicate cluster and merge history."""
    if mine == theirs or (_empty(mine) and _empty(theirs)):
        return SURVIVOR, "same"
    if _empty(theirs):
        return SURVIVOR, "not_empty"
    if _empty(mine):
        return LOSER, "not_empty"
    if name in _VALIDATORS:
        ok_mine, ok_theirs = _valid(name, mine), _valid(name, theirs)
        if ok_mine != ok_theirs:
            return (SURVIVOR if ok_mine else LOSER), "valid"
    if name in _NAME_FIELDS:
        a, b = plain(str(mine)), plain(str(theirs))
        if a == b and _accents(mine) != _accents(theirs):  # "José" and "Jose": one name
            return (SURVIVOR if _accents(mine) > _accents(theirs) else LOSER), "accents"
        if _extends(a, b) or _extends(b, a):  # "Maria Aparecida" and "Maria": one name
            return (SURVIVOR if len(a.split()) > len(b.split()) else LOSER), "complete"
    # A real disagreement ("Costa" and "Costta"): what most records say, else the newer one.
    mine_key, theirs_key = _vote_key(name, mine), _vote_key(name, theirs)
    votes = [_vote_key(name, v) for v in others(name) if not _empty(v)]
    for_mine, for_theirs = votes.count(mine_key), votes.count(theirs_key)
    if for_mine != for_theirs:
        return (SURVIVOR if for_mine > for_theirs else LOSER), "majority"
    if newer is not None:
        return newer, "recent"
    if name in _NAME_FIELDS and len(str(mine)) != len(str(theirs)):
        return (SURVIVOR if len(str(mine)) > len(str(theirs)) else LOSER), "complete"
    return SURVIVOR, "recent"


def _value(record: Any, name: str) -> Any:
    return contact_services.field_snapshot(record, name)


def _pair(actor: Actor, object_type: str, survivor_id: int, loser_id: int) -> tuple[Any, Any]:
    if object_type not in RecordType.values:
        raise ValidationFailed.field(
            "object_type",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(RecordType.values)},
            "invalid_choice",
        )
    if survivor_id == loser_id:
        raise ValidationFailed.field(
            "loser_id", _("A record cannot be merged into itself."), "same_record"
        )
    found = records_by_id(actor, object_type, [survivor_id, loser_id])
    for field, pk in (("survivor_id", survivor_id), ("loser_id", loser_id)):
        record = found.get(pk)
        if record is None:
            what = RecordType(object_type).label.lower()
            raise NotFound(_("No %(what)s with id %(id)s.") % {"what": what, "id": pk})
        if record.deleted_at is not None:
            raise ValidationFailed.field(
                field, _("This record is in the bin; restore it first."), "deleted"
            )
    return found[survivor_id], found[loser_id]


def propose(
    actor: Actor,
    object_type: str,
    survivor_id: int,
    loser_id: int,
    picks: dict[str, str] | None = None,
) -> list[FieldChoice]:
    """What a merge of ``loser_id`` into ``survivor_id`` would keep, field by field (custom
    fields as ``custom_fields.<key>``), with ``picks`` (``{field: "survivor"|"loser"}``) applied.
    Refuses records of other workspaces (404), binned records and unknown picks (422)."""
    require(actor, "records.view")
    survivor, loser = _pair(actor, object_type, survivor_id, loser_id)
    newer = None
    if loser.updated_at != survivor.updated_at:
        newer = LOSER if loser.updated_at > survivor.updated_at else SURVIVOR
    kin: list[Any] | None = None

    def others(name: str) -> list[Any]:
        nonlocal kin
        if kin is None:  # read only when two values really disagree
            kin = duplicate_kin(actor, object_type, [survivor_id, loser_id])
        return [_value(record, name) for record in kin]

    choices = []
    for name in contact_services.merge_fields_of(object_type):
        mine, theirs = _value(survivor, name), _value(loser, name)
        pick, rule = _choose(name, mine, theirs, newer, others)
        choices.append(FieldChoice(name, mine, theirs, pick, rule))
    mine_cf, theirs_cf = survivor.custom_fields or {}, loser.custom_fields or {}
    for key in sorted(set(mine_cf) | set(theirs_cf)):
        mine, theirs = mine_cf.get(key), theirs_cf.get(key)
        if mine == theirs:
            pick, rule = SURVIVOR, "same"
        else:
            pick, rule = (LOSER if _empty(mine) else SURVIVOR), "survivor_custom"
        choices.append(FieldChoice(f"custom_fields.{key}", mine, theirs, pick, rule))
    _apply_picks(choices, picks or {})
    return choices


def _apply_picks(choices: list[FieldChoice], picks: dict[str, str]) -> None:
    by_name = {c.name: c for c in choices}
    errors = []
    for name, side in picks.items():
        if name not in by_name:
            errors.append(FieldError(f"picks.{name}", _("Unknown field."), "unknown_field"))
        elif side not in (SURVIVOR, LOSER):
            errors.append(
                FieldError(f"picks.{name}", _("Pick survivor or loser."), "invalid_choice")
            )
        elif by_name[name].differs and side != by_name[name].pick:
            by_name[name].pick, by_name[name].rule = side, "picked"
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)


def merge_people(
    *, actor: Actor, survivor_id: int, loser_id: int, picks: dict[str, str] | None = None
) -> MergeRecord:
    """Merge person ``loser_id`` into ``survivor_id`` (see :func:`merge_records`)."""
    return merge_records(
        actor=actor,
        object_type=RecordType.PERSON,
        survivor_id=survivor_id,
        loser_id=loser_id,
        picks=picks,
    )


def merge_companies(
    *, actor: Actor, survivor_id: int, loser_id: int, picks: dict[str, str] | None = None
) -> MergeRecord:
    """Merge company ``loser_id`` into ``survivor_id`` (see :func:`merge_records`)."""
    return merge_records(
        actor=actor,
        object_type=RecordType.COMPANY,
        survivor_id=survivor_id,
        loser_id=loser_id,
        picks=picks,
    )


def merge_records(
    *,
    actor: Actor,
    object_type: str,
    survivor_id: int,
    loser_id: int,
    picks: dict[str, str] | None = None,
    automatic: bool = False,
) -> MergeRecord:
    """Merge the loser into the survivor in one transaction: fields by the rules (or ``picks``),
    deals, activities, timeline, tags, consents, affiliations, lifecycle history and custom
    fields move over; the loser goes to the bin. On the survivor's timeline, audited, emits
    ``person.merged``/``company.merged``; undo with :func:`undo_merge`.

    Refuses viewers and roles that cannot delete records (403), records of another workspace
    (404), binned records, a record merged into itself and unknown picks (422).
    """
    require(actor, "records.write")
    require(actor, "records.delete")
    kind = object_type
    with transaction.atomic():
        choices = propose(actor, kind, survivor_id, loser_id, picks)
        values, custom = _kept_values(choices)
        survivor, loser = _pair(actor, kind, survivor_id, loser_id)
        moved = contact_services.absorb_record(
            actor=actor,
            kind=kind,
            survivor_id=survivor_id,
            loser_id=loser_id,
            values=values,
            custom_fields=custom,
        )
        move: dict[str, Any] = {
            "actor": actor,
            "kind": kind,
            "from_id": loser_id,
            "to_id": survivor_id,
        }
        moved["deals"] = deal_services.reassign_deals(**move)
        moved["activities"] = activity_services.reassign_activities(**move)
        for key, mover in movers():  # what other apps keep about the loser
            moved[key] = mover(**move)
        moved["timeline"] = timeline.reassign_entries(**move)
        moved["picks"] = {c.name: c.pick for c in choices if c.differs}
        candidate = _settle_candidates(actor, kind, survivor_id, loser_id, moved)
        record = MergeRecord.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            object_type=kind,
            survivor_id=survivor_id,
            loser_id=loser_id,
            candidate=candidate,
            changes=moved,
            automatic=automatic,
        )
        _announce_merge(actor, record, survivor, loser)
    return record


def _kept_values(choices: list[FieldChoice]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The chosen side's value of each plain field, and of each custom field (empty ones left
    out), by key."""
    values = {
        c.name: c.loser if c.pick == LOSER else c.survivor
        for c in choices
        if not c.name.startswith("custom_fields.")
    }
    custom = {}
    for c in choices:
        if c.name.startswith("custom_fields."):
            value = c.loser if c.pick == LOSER else c.survivor
            if not _empty(value):
                custom[c.name.removeprefix("custom_fields.")] = value
    return values, custom


def _settle_candidates(
    actor: Actor, kind: str, survivor_id: int, loser_id: int, moved: dict[str, Any]
) -> DuplicateCandidate | None:
    """Mark the pair's duplicate candidate merged (its old status kept in ``moved``) and drop
    the loser's other open pairs; returns the pair's candidate, if any."""
    left, right = sorted((survivor_id, loser_id))
    candidate = (
        DuplicateCandidate.objects.for_workspace(actor.workspace)
        .filter(object_type=kind, left_id=left, right_id=right)
        .first()
    )
    if candidate is not None:
        moved["candidate_status"] = candidate.status
        candidate.status = CandidateStatus.MERGED
        candidate.reviewed_by = actor.user
        candidate.reviewed_at = timezone.now()
        candidate.save()
    # Other open pairs of the loser now point at a binned record; the next run finds them
    # again against the survivor.
    DuplicateCandidate.objects.for_workspace(actor.workspace).filter(
        Q(left_id=loser_id) | Q(right_id=loser_id),
        object_type=kind,
        status=CandidateStatus.OPEN,
    ).delete()
    return candidate


def _announce_merge(actor: Actor, record: MergeRecord, survivor: Any, loser: Any) -> None:
    """The merge on the survivor's timeline, in the audit log and as ``<kind>.merged``."""
    kind, survivor_id, loser_id = record.object_type, record.survivor_id, record.loser_id
    automatic = record.automatic
    names = {"loser": str(loser), "survivor": str(survivor)}
    timeline.record(
        actor,
        f"{kind}.merged",
        gettext_noop("Merged %(loser)s into %(survivor)s"),
        params=names,
        data={"merge_id": record.pk, "loser_id": loser_id, "automatic": automatic},
        person=survivor_id if kind == "person" else None,
        company=survivor_id if kind == "company" else None,
    )
    audit.record(
        actor,
        f"{kind}.merged",
        survivor,
        changes={
            "loser_id": [None, loser_id],
            "merge_id": [None, record.pk],
            "moved": [None, moved_counts(record.changes)],
        },
    )
    events.emit(
        f"{kind}.merged",
        actor=actor,
        subject=survivor,
        payload={"loser_id": loser_id, "merge_id": record.pk, "automatic": automatic},
    )


def moved_counts(moved: dict[str, Any]) -> dict[str, int]:
    keys = ("deals", "activities", "timeline", "tags_added", "affiliations", "consent_changes")
    return {k: len(moved.get(k) or []) for k in keys}


def undo_merge(*, actor: Actor, merge_id: int) -> MergeRecord:
    """Undo a merge: the loser comes back from the bin and exactly the rows and values that
    moved go back; the survivor's fields that nobody changed since return to their old values.

    Refuses viewers (403), other workspaces' merges (404), a merge already undone (409), a
    kept record now in the bin (409: undo the later merge first) and a loser whose CPF/CNPJ
    now belongs to another live record (409).
    """
    require(actor, "records.write")
    require(actor, "records.delete")
    with transaction.atomic():
        record = _merge_to_undo(actor, merge_id)
        kind, moved = record.object_type, record.changes
        back: dict[str, Any] = {"actor": actor, "kind": kind, "from_id": record.survivor_id}
        deal_services.reassign_deals(**back, to_id=record.loser_id, ids=moved.get("deals", []))
        activity_services.reassign_activities(
            **back, to_id=record.loser_id, ids=moved.get("activities", [])
        )
        timeline.reassign_entries(**back, to_id=record.loser_id, ids=moved.get("timeline", []))
        for key, mover in movers():
            if moved.get(key):
                mover(**back, to_id=record.loser_id, ids=moved[key])
        contact_services.unabsorb_record(
            actor=actor,
            kind=kind,
            survivor_id=record.survivor_id,
            loser_id=record.loser_id,
            moved=moved,
        )
        if record.candidate_id is not None:
            DuplicateCandidate.objects.filter(pk=record.candidate_id).update(
                status=moved.get("candidate_status", CandidateStatus.OPEN),
                reviewed_by=actor.user,
                reviewed_at=timezone.now(),
            )
        record.undone_at = timezone.now()
        record.undone_by = actor.user
        record.save()
        _announce_undo(actor, record)
    return record


def _merge_to_undo(actor: Actor, merge_id: int) -> MergeRecord:
    """The merge record, locked, if it can be undone: not undone yet and its kept record not
    in the bin."""
    record = (
        MergeRecord.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=merge_id)
        .first()
    )
    if record is None:
        raise NotFound(_("No merge with id %(id)s.") % {"id": merge_id})
    if record.undone_at is not None:
        raise Conflict(_("This merge was already undone."))
    kind = record.object_type
    survivor = records_by_id(actor, kind, [record.survivor_id]).get(record.survivor_id)
    if survivor is not None and survivor.deleted_at is not None:
        # Its rows may have moved on to a third record: undo that later merge first.
        raise Conflict(
            _("The kept record is in the bin (merged again?); undo that first."),
            errors=[FieldError("merge_id", _("Undo the later merge first."), "conflict")],
        )
    return record


def _announce_undo(actor: Actor, record: MergeRecord) -> None:
    """The undone merge on both records' timelines, in the audit log and as
    ``<kind>.merge_undone``."""
    kind = record.object_type
    found = records_by_id(actor, kind, [record.survivor_id, record.loser_id])
    names = {"loser": str(found[record.loser_id]), "survivor": str(found[record.survivor_id])}
    for pk in (record.survivor_id, record.loser_id):
        on: dict[str, Any] = {kind: pk}  # person=... or company=...
        timeline.record(
            actor,
            f"{kind}.merge_undone",
            gettext_noop("Merge of %(loser)s into %(survivor)s undone"),
            params=names,
            data={"merge_id": record.pk},
            **on,
        )
    audit.record(
        actor,
        f"{kind}.merge_undone",
        found[record.survivor_id],
        changes={"merge_id": [record.pk, None], "loser_id": [record.loser_id, None]},
    )
    events.emit(
        f"{kind}.merge_undone",
        actor=actor,
        subject=found[record.survivor_id],
        payload={"loser_id": record.loser_id, "merge_id": record.pk},
    )


def auto_merge(*, actor: Actor, object_type: str, threshold: float | None = None) -> int:
    """The automatic mode: merge every open pair at or above the workspace's automatic threshold
    (or ``threshold``), most probable first, the older record surviving; a cluster collapses
    into one record. Each merge is its own transaction and undoable. Returns how many merges
    were made. Refuses viewers and roles that cannot delete records."""
    require(actor, "records.write")
    require(actor, "records.delete")
    if threshold is None:
        learned = match_model(actor, object_type)
        threshold = learned.auto_merge_threshold if learned is not None else 1.0
    limit = threshold
    if not 0.5 <= limit <= 1.0:
        raise ValidationFailed.field("threshold", _("Enter a number between 0.5 and 1."))
    pairs = list(
        DuplicateCandidate.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type, status=CandidateStatus.OPEN, probability__gte=limit)
        .order_by("-probability", "id")
        .values_list("left_id", "right_id")
    )
    absorbed_into: dict[int, int] = {}

    def home(pk: int) -> int:
        while pk in absorbed_into:
            pk = absorbed_into[pk]
        return pk

    merged = 0
    for left, right in pairs:
        a, b = home(left), home(right)
        if a == b:
            continue
        survivor, loser = min(a, b), max(a, b)
        try:
            merge_records(
                actor=actor,
                object_type=object_type,
                survivor_id=survivor,
                loser_id=loser,
                automatic=True,
            )
        except (ValidationFailed, Conflict, NotFound):
            continue  # e.g. a document clash: leave the pair for a person to review
        absorbed_into[loser] = survivor
        merged += 1
    if merged:
        audit.record(
            actor,
            "duplicates.auto_merged",
            object_type="quality.mergerecord",
            changes={"merged": [None, merged], "threshold": [None, limit]},
        )
    return merged
