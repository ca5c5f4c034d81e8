"""REST endpoints of data quality: duplicate detection, review decisions, merge and undo.

Thin: parse, call a service or selector of ``vinculo.quality``, serialise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, PageOut
from vinculo.quality.models.duplicates import DedupeRun, DuplicateCandidate, MergeRecord
from vinculo.quality.selectors import duplicates as selectors
from vinculo.quality.services import duplicates as services
from vinculo.quality.services import merge as merge_services

router = Router(tags=["quality"])

ObjectType = Literal["person", "company"]


# --- schemas --------------------------------------------------------------------------------


class RunIn(Schema):
    object_type: str = Field("person", description="person or company.")
    auto_merge: bool = Field(
        False,
        description="After detection, merge every pair at or above the workspace's automatic "
        "threshold (needs the right to delete records).",
    )


class RunOut(Schema):
    id: int
    object_type: str
    status: str
    total: int
    done: int
    percent: int
    pairs_found: int
    clusters_found: int
    auto_merge: bool
    auto_merged: int
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class DuplicateReasonOut(Schema):
    code: str = Field(description="`field` (a field's agreement), or a code of older scans.")
    text: str = Field(description="The reason in the reader's language.")
    field: str | None = Field(None, description="The field compared (`custom:<key>` for custom).")
    level: str | None = Field(
        None,
        description="same, very_similar, similar, one_typo, same_mailbox_name, close, "
        "transposed, same_area or different.",
    )
    bits: float | None = Field(None, description="The weight this agreement added, in bits.")
    percent: int | None = None


class RecordBrief(Schema):
    id: int
    name: str
    email: str
    phone: str
    city: str
    deleted: bool


class PairOut(Schema):
    id: int
    object_type: str
    left_id: int
    right_id: int
    probability: float
    reasons: list[DuplicateReasonOut]
    cluster: int
    status: str
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    left: RecordBrief | None
    right: RecordBrief | None


class PairQuery(Schema):
    object_type: ObjectType = "person"
    status: Literal["open", "merged", "not_duplicate", "later", "all"] = "open"
    cluster: Id | None = Field(None, description="Only the pairs of this cluster.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class ClusterOut(Schema):
    cluster: int
    probability: float = Field(description="The highest probability among its pairs.")
    record_ids: list[int]
    pair_ids: list[int]


class DecisionIn(Schema):
    status: str = Field(description="not_duplicate, later or open.")


class DuplicateSettingsOut(Schema):
    auto_merge_precision: float = Field(
        description="The expected precision the automatic merge keeps (0.9 to 0.9999); each "
        "scan chooses the automatic threshold from it (see /quality/duplicates/model)."
    )


class DuplicateSettingsIn(Schema):
    auto_merge_precision: float | None = None


class FieldChoiceOut(Schema):
    name: str = Field(description="A field, or `custom_fields.<key>`.")
    survivor: Any
    loser: Any
    pick: Literal["survivor", "loser"]
    differs: bool
    rule: str
    rule_text: str


class PreviewQuery(Schema):
    object_type: ObjectType = "person"
    survivor_id: Id
    loser_id: Id


class MergeIn(Schema):
    object_type: str = "person"
    survivor_id: Id
    loser_id: Id
    picks: dict[str, str] | None = Field(
        None, description='Per field: "survivor" or "loser"; others follow the shown rules.'
    )


class MergeOut(Schema):
    id: int
    object_type: str
    survivor_id: int
    loser_id: int
    automatic: bool
    moved: dict[str, int] = Field(description="How many rows of each kind moved.")
    created_at: datetime
    undone_at: datetime | None


class MergeQuery(Schema):
    object_type: ObjectType | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class AutoMergeIn(Schema):
    object_type: str = "person"
    threshold: float | None = Field(None, description="Default: the workspace's setting.")


class AutoMergeOut(Schema):
    merged: int


# --- serialisation --------------------------------------------------------------------------


def _reasons(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.get("code", ""),
            "text": services.reason_text(r),
            "field": r.get("field"),
            "level": r.get("level"),
            "bits": r.get("bits"),
            "percent": r.get("percent"),
        }
        for r in raw
    ]


def _brief(record: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "id": record.pk,
        "name": str(record),
        "email": record.email,
        "phone": record.phone,
        "city": record.city,
        "deleted": record.deleted_at is not None,
    }


def _pairs(request: HttpRequest, items: list[DuplicateCandidate]) -> list[dict[str, Any]]:
    by_type: dict[str, set[int]] = {}
    for c in items:
        by_type.setdefault(c.object_type, set()).update((c.left_id, c.right_id))
    records = {
        t: selectors.records_by_id(actor_of(request), t, sorted(ids)) for t, ids in by_type.items()
    }
    return [
        {
            "id": c.pk,
            "object_type": c.object_type,
            "left_id": c.left_id,
            "right_id": c.right_id,
            "probability": c.probability,
            "reasons": _reasons(c.reasons),
            "cluster": c.cluster,
            "status": c.status,
            "reviewed_by_id": c.reviewed_by_id,
            "reviewed_at": c.reviewed_at,
            "left": _brief(records[c.object_type].get(c.left_id)),
            "right": _brief(records[c.object_type].get(c.right_id)),
        }
        for c in items
    ]


def _merge(record: MergeRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "object_type": record.object_type,
        "survivor_id": record.survivor_id,
        "loser_id": record.loser_id,
        "automatic": record.automatic,
        "moved": merge_services.moved_counts(record.changes),
        "created_at": record.created_at,
        "undone_at": record.undone_at,
    }


# --- detection ------------------------------------------------------------------------------


@router.post(
    "/quality/duplicates/runs",
    response={202: RunOut, **ERRORS},
    summary="Find duplicates (background task)",
)
def start_run(request: HttpRequest, payload: RunIn) -> Status[DedupeRun]:
    run = services.start_detection(
        actor=actor_of(request), object_type=payload.object_type, auto_merge=payload.auto_merge
    )
    return Status(202, run)


@router.get(
    "/quality/duplicates/runs/{run_id}",
    response={200: RunOut, **ERRORS},
    summary="A detection run and its progress",
)
def get_run(request: HttpRequest, run_id: Id) -> DedupeRun:
    return selectors.get_run(actor_of(request), run_id)


@router.get(
    "/quality/duplicates/pairs",
    response={200: PageOut[PairOut], **ERRORS},
    summary="Candidate pairs, most probable first",
)
def list_pairs(request: HttpRequest, query: Query[PairQuery]) -> dict[str, Any]:
    qs = selectors.candidates(
        actor_of(request),
        object_type=query.object_type,
        status=None if query.status == "all" else query.status,
        cluster=query.cluster,
    )
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="-probability")
    return {"items": _pairs(request, page.items), "next_cursor": page.next_cursor}


@router.get(
    "/quality/duplicates/pairs/{pair_id}",
    response={200: PairOut, **ERRORS},
    summary="One candidate pair",
)
def get_pair(request: HttpRequest, pair_id: Id) -> dict[str, Any]:
    return _pairs(request, [selectors.get_candidate(actor_of(request), pair_id)])[0]


@router.post(
    "/quality/duplicates/pairs/{pair_id}/decision",
    response={200: PairOut, **ERRORS},
    summary="Not a duplicate / later / open again",
)
def decide(request: HttpRequest, pair_id: Id, payload: DecisionIn) -> dict[str, Any]:
    candidate = services.decide(
        actor=actor_of(request), candidate_id=pair_id, status=payload.status
    )
    return _pairs(request, [candidate])[0]


@router.get(
    "/quality/duplicates/clusters",
    response={200: list[ClusterOut], **ERRORS},
    summary="Clusters of open pairs",
)
def list_clusters(request: HttpRequest, object_type: ObjectType = "person") -> list[dict]:
    return [
        {
            "cluster": c["cluster"],
            "probability": c["probability"],
            "record_ids": sorted({i for p in c["pairs"] for i in (p.left_id, p.right_id)}),
            "pair_ids": [p.pk for p in c["pairs"]],
        }
        for c in selectors.cluster_list(actor_of(request), object_type=object_type)
    ]


@router.get(
    "/quality/duplicates/settings",
    response={200: DuplicateSettingsOut, **ERRORS},
    summary="The precision the automatic merge keeps",
)
def get_settings(request: HttpRequest) -> Any:
    return selectors.duplicate_settings(actor_of(request))


@router.patch(
    "/quality/duplicates/settings",
    response={200: DuplicateSettingsOut, **ERRORS},
    summary="Change the precision the automatic merge keeps",
)
def update_settings(request: HttpRequest, payload: DuplicateSettingsIn) -> Any:
    return services.update_settings(
        actor=actor_of(request), data=payload.model_dump(exclude_unset=True)
    )


@router.post(
    "/quality/duplicates/auto-merge",
    response={200: AutoMergeOut, **ERRORS},
    summary="Merge every open pair above the automatic threshold",
)
def auto_merge(request: HttpRequest, payload: AutoMergeIn) -> dict[str, int]:
    merged = merge_services.auto_merge(
        actor=actor_of(request), object_type=payload.object_type, threshold=payload.threshold
    )
    return {"merged": merged}


# --- merge ----------------------------------------------------------------------------------


@router.get(
    "/quality/merges/preview",
    response={200: list[FieldChoiceOut], **ERRORS},
    summary="What a merge would keep, field by field",
)
def preview(request: HttpRequest, query: Query[PreviewQuery]) -> list[dict[str, Any]]:
    choices = merge_services.propose(
        actor_of(request), query.object_type, query.survivor_id, query.loser_id
    )
    return [
        {
            "name": c.name,
            "survivor": c.survivor,
            "loser": c.loser,
            "pick": c.pick,
            "differs": c.differs,
            "rule": c.rule,
            "rule_text": c.rule_text,
        }
        for c in choices
    ]


@router.post(
    "/quality/merges",
    response={201: MergeOut, **ERRORS},
    summary="Merge two people or two companies",
)
def merge(request: HttpRequest, payload: MergeIn) -> Status[dict[str, Any]]:
    record = merge_services.merge_records(
        actor=actor_of(request),
        object_type=payload.object_type,
        survivor_id=payload.survivor_id,
        loser_id=payload.loser_id,
        picks=payload.picks,
    )
    return Status(201, _merge(record))


@router.get(
    "/quality/merges", response={200: PageOut[MergeOut], **ERRORS}, summary="Merges, newest first"
)
def list_merges(request: HttpRequest, query: Query[MergeQuery]) -> dict[str, Any]:
    qs = selectors.merges(actor_of(request), object_type=query.object_type)
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="-pk")
    return {"items": [_merge(m) for m in page.items], "next_cursor": page.next_cursor}


@router.get("/quality/merges/{merge_id}", response={200: MergeOut, **ERRORS}, summary="A merge")
def get_merge(request: HttpRequest, merge_id: Id) -> dict[str, Any]:
    return _merge(selectors.get_merge(actor_of(request), merge_id))


@router.post(
    "/quality/merges/{merge_id}/undo",
    response={200: MergeOut, **ERRORS},
    summary="Undo a merge",
)
def undo(request: HttpRequest, merge_id: Id) -> dict[str, Any]:
    return _merge(merge_services.undo_merge(actor=actor_of(request), merge_id=merge_id))
