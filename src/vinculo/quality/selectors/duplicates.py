"""Reads of data quality: duplicate candidates, clusters, runs and merges (workspace-scoped)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.quality.matching.schema import COMPANY_COLUMNS, PERSON_COLUMNS
from vinculo.quality.models.duplicates import (
    CandidateStatus,
    DedupeRun,
    DuplicateCandidate,
    DuplicateSettings,
    MatchModel,
    MergeRecord,
    RecordType,
)


def _model(object_type: str) -> Any:
    return Person if object_type == RecordType.PERSON else Company


def live_rows(actor: Actor, object_type: str) -> tuple[int, Iterator[dict[str, Any]]]:
    """How many live people/companies the workspace has and a stream of the columns the
    matcher reads, as dicts (``values(...).iterator()``: constant memory on the database side)."""
    columns = PERSON_COLUMNS if object_type == RecordType.PERSON else COMPANY_COLUMNS
    qs = _model(object_type).objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True)
    return qs.count(), qs.order_by("pk").values(*columns).iterator(chunk_size=5000)


def open_pair_count(actor: Actor) -> int:
    """How many people and company pairs wait for review (open) in the actor's workspace; the
    audit report's duplicate estimate."""
    return (
        DuplicateCandidate.objects.for_workspace(actor.workspace)
        .filter(status=CandidateStatus.OPEN)
        .count()
    )


def candidates(
    actor: Actor,
    *,
    object_type: str = RecordType.PERSON,
    status: str | None = CandidateStatus.OPEN,
    cluster: int | None = None,
) -> QuerySet[DuplicateCandidate]:
    """Candidate pairs of the workspace, most probable first; refuses actors who cannot see
    records."""
    require(actor, "records.view")
    qs = DuplicateCandidate.objects.for_workspace(actor.workspace).filter(object_type=object_type)
    if status:
        qs = qs.filter(status=status)
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    return qs.order_by("-probability", "id")


def get_candidate(actor: Actor, candidate_id: int) -> DuplicateCandidate:
    """One pair of the actor's workspace; 404 for anything else."""
    require(actor, "records.view")
    found = (
        DuplicateCandidate.objects.for_workspace(actor.workspace).filter(pk=candidate_id).first()
    )
    if found is None:
        raise NotFound(_("No duplicate pair with id %(id)s.") % {"id": candidate_id})
    return found


def cluster_list(
    actor: Actor,
    *,
    object_type: str = RecordType.PERSON,
    status: str = CandidateStatus.OPEN,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Clusters of pairs in ``status``, most probable first: ``{"cluster", "probability",
    "pairs"}``; ``limit`` caps the pairs read (the queue shows the most probable first)."""
    groups: dict[int, list[DuplicateCandidate]] = {}
    qs = candidates(actor, object_type=object_type, status=status)
    for candidate in qs[:limit] if limit else qs:
        groups.setdefault(candidate.cluster, []).append(candidate)
    return [
        {"cluster": key, "probability": pairs[0].probability, "pairs": pairs}
        for key, pairs in sorted(groups.items(), key=lambda kv: (-kv[1][0].probability, kv[0]))
    ]


def records_by_id(actor: Actor, object_type: str, ids: list[int]) -> dict[int, Any]:
    """People or companies of the workspace by id (live or in the bin)."""
    qs = _model(object_type).objects.for_workspace(actor.workspace).filter(pk__in=ids)
    return {r.pk: r for r in qs}


KIN_LIMIT = 200


def duplicate_kin(actor: Actor, object_type: str, ids: list[int]) -> list[Any]:
    """The other records that speak for ``ids`` when a merge chooses between their values: the
    live records of their duplicate clusters (through pairs nobody marked "not a duplicate")
    and the records merged into them before, followed back through earlier merges (in the bin;
    merges not undone). At most :data:`KIN_LIMIT`, ``ids`` themselves left out."""
    require(actor, "records.view")
    pairs = DuplicateCandidate.objects.for_workspace(actor.workspace).filter(
        object_type=object_type
    )
    pairs = pairs.exclude(status=CandidateStatus.NOT_DUPLICATE)
    clusters = set(
        pairs.filter(Q(left_id__in=ids) | Q(right_id__in=ids)).values_list("cluster", flat=True)
    )
    members: set[int] = set()
    if clusters:
        linked = pairs.filter(cluster__in=clusters).order_by("id")
        for left, right in linked.values_list("left_id", "right_id")[: KIN_LIMIT * 2]:
            members.update((left, right))
    absorbed: set[int] = set()
    frontier = set(ids)
    merged = MergeRecord.objects.for_workspace(actor.workspace).filter(
        object_type=object_type, undone_at__isnull=True
    )
    while frontier and len(absorbed) < KIN_LIMIT:
        frontier = (
            set(merged.filter(survivor_id__in=frontier).values_list("loser_id", flat=True))
            - absorbed
            - set(ids)
        )
        absorbed |= frontier
    wanted = (members | absorbed) - set(ids)
    if not wanted:
        return []
    qs = _model(object_type).objects.for_workspace(actor.workspace).filter(pk__in=wanted)
    qs = qs.filter(Q(deleted_at__isnull=True) | Q(pk__in=absorbed)).order_by("id")
    return list(qs[:KIN_LIMIT])


def latest_run(actor: Actor, object_type: str) -> DedupeRun | None:
    """The workspace's most recent detection run of this record type."""
    require(actor, "records.view")
    return (
        DedupeRun.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type)
        .order_by("-id")
        .first()
    )


def get_run(actor: Actor, run_id: int) -> DedupeRun:
    """One detection run of the actor's workspace; 404 otherwise."""
    require(actor, "records.view")
    found = DedupeRun.objects.for_workspace(actor.workspace).filter(pk=run_id).first()
    if found is None:
        raise NotFound(_("No detection run with id %(id)s.") % {"id": run_id})
    return found


def merges(actor: Actor, *, object_type: str | None = None) -> QuerySet[MergeRecord]:
    """The workspace's merges, newest first."""
    require(actor, "records.view")
    qs = MergeRecord.objects.for_workspace(actor.workspace)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs.order_by("-id")


def get_merge(actor: Actor, merge_id: int) -> MergeRecord:
    """One merge of the actor's workspace; 404 otherwise."""
    require(actor, "records.view")
    found = MergeRecord.objects.for_workspace(actor.workspace).filter(pk=merge_id).first()
    if found is None:
        raise NotFound(_("No merge with id %(id)s.") % {"id": merge_id})
    return found


def duplicate_settings(actor: Actor) -> DuplicateSettings:
    """The workspace's duplicate settings (the defaults until changed); never writes."""
    require(actor, "records.view")
    found = DuplicateSettings.objects.for_workspace(actor.workspace).first()
    return found or DuplicateSettings(workspace=actor.workspace)


def match_model(actor: Actor, object_type: str) -> MatchModel | None:
    """What the last scan learned of the workspace's people or companies (None before one)."""
    require(actor, "records.view")
    return MatchModel.objects.for_workspace(actor.workspace).filter(object_type=object_type).first()


def labelled_levels(actor: Actor, object_type: str) -> Iterator[tuple[dict[str, int], bool]]:
    """The pairs users decided on, as ``(levels per field, same customer?)``: merged pairs are
    matches, "not a duplicate" pairs are not."""
    decided = (
        DuplicateCandidate.objects.for_workspace(actor.workspace)
        .filter(
            object_type=object_type,
            status__in=[CandidateStatus.MERGED, CandidateStatus.NOT_DUPLICATE],
        )
        .exclude(levels={})
        .values_list("levels", "status")
    )
    for levels, status in decided.iterator(chunk_size=2000):
        yield levels, status == CandidateStatus.MERGED
