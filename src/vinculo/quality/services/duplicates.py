"""Duplicate detection over a whole workspace: a Fellegi-Sunter model learned from the
workspace's own records scores candidate pairs; pairs above the review threshold it chose from
its estimated precision enter the queue, clustered.

The matching itself lives in :mod:`vinculo.quality.matching` (pure numpy, also run by
``bench/quality_dedupe.py``); :mod:`vinculo.quality.services.matching` ties it to the database.
docs/duplicates.md explains it for users.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.core import audit, jobs
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, ValidationFailed
from vinculo.core.permissions import require
from vinculo.quality.models.duplicates import (
    CandidateStatus,
    DedupeRun,
    DuplicateCandidate,
    DuplicateSettings,
    MatchModel,
    RecordType,
    RunStatus,
)
from vinculo.quality.selectors.duplicates import live_rows
from vinculo.quality.services import matching
from vinculo.quality.services.merge import auto_merge

# The job that runs a queued detection (bound by vinculo.quality.tasks.duplicates).
DETECT_JOB = "quality.duplicates.detect"


def clusters(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Union-find: each record id → its cluster id (the smallest id in its cluster)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in list(parent)}


# --- reasons, in words ----------------------------------------------------------------------

FIELD_LABELS = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "birth_date": gettext_lazy("birth date"),
    "cpf": "CPF",
    "cnpj": "CNPJ",
    "email": gettext_lazy("email"),
    "phones": gettext_lazy("phone"),
    "street": gettext_lazy("street"),
    "number": gettext_lazy("number"),
    "complement": gettext_lazy("complement"),
    "district": gettext_lazy("district"),
    "city": gettext_lazy("city"),
    "state": gettext_lazy("state"),
    "postal_code": gettext_lazy("postal code"),
    "name": gettext_lazy("name"),
    "legal_name": gettext_lazy("legal name"),
    "domain": gettext_lazy("domain"),
}
# "<field>: <how it compares>": no adjective agrees with the field's gender in Portuguese.
LEVEL_TEXTS = {
    "same": gettext_lazy("%(field)s: same value"),
    "very_similar": gettext_lazy("%(field)s: spelt almost alike"),
    "similar": gettext_lazy("%(field)s: spelt alike"),
    "one_typo": gettext_lazy("%(field)s: one character apart"),
    "same_mailbox_name": gettext_lazy("%(field)s: same mailbox name, other domain"),
    "close": gettext_lazy("%(field)s: close values"),
    "transposed": gettext_lazy("%(field)s: day and month swapped"),
    "same_area": gettext_lazy("%(field)s: same area"),
    "different": gettext_lazy("%(field)s: different values"),
}


def field_label(key: str, custom_labels: dict[str, str] | None = None) -> str:
    """A compared field's name in the reader's language (a custom field: its label)."""
    if key.startswith("custom:"):
        return (custom_labels or {}).get(key.split(":", 1)[1], key.split(":", 1)[1])
    return str(FIELD_LABELS.get(key, key))


def reason_text(reason: dict[str, Any], custom_labels: dict[str, str] | None = None) -> str:
    """A stored reason (a code and figures) as a phrase in the active language."""
    code = reason.get("code")
    if code == "field":
        template = LEVEL_TEXTS.get(str(reason.get("level")), LEVEL_TEXTS["same"])
        return str(template) % {"field": field_label(str(reason.get("field")), custom_labels)}
    if code == "names_alike":
        return _("names %(percent)s%% alike") % {"percent": reason.get("percent", 0)}
    texts = {
        "same_name": _("same name"),
        "same_document": _("same CPF/CNPJ"),
        "different_document": _("different CPF/CNPJ"),
        "same_email": _("same email"),
        "same_email_name": _("same email name, other domain"),
        "same_phone": _("same phone"),
        "same_city": _("same city"),
    }
    return texts.get(str(code), str(code))


# --- services -------------------------------------------------------------------------------


def _check_type(object_type: str) -> str:
    if object_type not in RecordType.values:
        raise ValidationFailed.field(
            "object_type",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(RecordType.values)},
            "invalid_choice",
        )
    return object_type


def get_settings(actor: Actor) -> DuplicateSettings:
    """The workspace's duplicate settings, saved with the defaults by the first write that needs
    them (changing them, a detection run); reads use ``selectors.duplicate_settings``, which
    shows the defaults unsaved."""
    found, _created = DuplicateSettings.objects.get_or_create(workspace=actor.workspace)
    return found


def update_settings(*, actor: Actor, data: dict[str, Any]) -> DuplicateSettings:
    """Change the expected precision the automatic merge must keep (0.9 to 0.9999); the scan
    then chooses the automatic threshold that keeps it."""
    require(actor, "settings.manage")
    with transaction.atomic():
        current = get_settings(actor)
        before = current.auto_merge_precision
        value = data.get("auto_merge_precision")
        if value is not None:
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = -1.0
            if not 0.9 <= number <= 0.9999:
                raise ValidationFailed(
                    _("Enter a precision between 0.9 and 0.9999."),
                    errors=[
                        FieldError(
                            "auto_merge_precision",
                            _("Enter a precision between 0.9 and 0.9999."),
                            "invalid",
                        )
                    ],
                )
            current.auto_merge_precision = number
            current.save()
            audit.record(
                actor,
                "duplicates.settings_changed",
                current,
                changes={"auto_merge_precision": [before, number]},
            )
    return current


def start_detection(*, actor: Actor, object_type: str, auto_merge: bool = False) -> DedupeRun:
    """Queue a detection run over the workspace's people or companies (a background task);
    ``auto_merge`` then merges every pair above the automatic threshold. Refuses viewers."""
    require(actor, "records.write")
    if auto_merge:
        require(actor, "records.delete")
    _check_type(object_type)
    with transaction.atomic():
        run = DedupeRun.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            object_type=object_type,
            auto_merge=auto_merge,
        )
        audit.record(actor, "duplicates.detection_started", run)
        transaction.on_commit(lambda: jobs.enqueue(DETECT_JOB, run.pk))
    return run


def detect_duplicates(*, actor: Actor, object_type: str, run: DedupeRun | None = None) -> DedupeRun:
    """Learn the workspace's model and store every pair at or above the review threshold it
    chose, with its reasons and levels; store the model (import and the new-record check score
    with it).

    Keeps earlier decisions: pairs marked "not a duplicate" or merged never come back, "later"
    pairs keep their status; open pairs not found again are removed. Refuses viewers.
    """
    require(actor, "records.write")
    _check_type(object_type)
    if run is None:
        run = DedupeRun.objects.create(
            workspace=actor.workspace, created_by=actor.user, object_type=object_type
        )
    total, rows = live_rows(actor, object_type)
    run.status, run.total, run.started_at = RunStatus.RUNNING, total, timezone.now()
    run.save(update_fields=["status", "total", "started_at", "updated_at"])

    def progress(stage: str, fraction: float) -> None:
        del stage
        DedupeRun.objects.filter(pk=run.pk).update(done=int(total * fraction))

    schema, table, result = matching.run_scan(
        actor,
        object_type,
        rows,
        auto_precision=get_settings(actor).auto_merge_precision,
        progress=progress,
    )
    review = result.thresholds["review"]
    keep = [k for k in range(len(result.probability)) if result.probability[k] >= review]
    ids = table.ids
    found = [
        (
            int(ids[result.left[k]]),
            int(ids[result.right[k]]),
            float(result.probability[k]),
            matching.reasons(schema, result.levels[k], result.weights[k]),
            matching.level_map(schema, result.levels[k]),
        )
        for k in keep
    ]
    found = [(min(a, b), max(a, b), p, r, lv) for a, b, p, r, lv in found]
    cluster_of = clusters((a, b) for a, b, *_rest in found)
    with transaction.atomic():
        _store(actor, run, object_type, found, cluster_of)
        _store_model(actor, run, object_type, schema.signature, table, result)
        run.status = RunStatus.DONE
        run.total = run.done = total
        run.pairs_found = len(found)
        run.clusters_found = len(set(cluster_of.values()))
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor,
            "duplicates.detected",
            run,
            changes={"pairs": run.pairs_found, "clusters": run.clusters_found},
        )
    if run.auto_merge:
        run.auto_merged = auto_merge(actor=actor, object_type=object_type)
        run.save(update_fields=["auto_merged", "updated_at"])
    return run


def _store_model(
    actor: Actor,
    run: DedupeRun,
    object_type: str,
    signature: list[str],
    table: Any,
    result: Any,
) -> None:
    params = result.params.to_json()
    params["signature"] = signature
    report = {
        "rules": result.blocking.report,
        "recall": result.recall,
        "thresholds": result.thresholds,
        "fill": {key: round(table.fill_rate(key), 4) for key in table.codes},
        "seconds": result.seconds,
    }
    MatchModel.objects.update_or_create(
        workspace=actor.workspace,
        object_type=object_type,
        defaults={
            "params": params,
            "report": report,
            "review_threshold": result.thresholds["review"],
            "auto_merge_threshold": result.thresholds["auto_merge"],
            "records": len(table),
            "compared": result.compared,
            "labels": result.params.labels,
            "run": run,
            "created_by": actor.user,
        },
    )


def _store(
    actor: Actor,
    run: DedupeRun,
    object_type: str,
    found: list[tuple[int, int, float, list[dict[str, Any]], dict[str, int]]],
    cluster_of: dict[int, int],
) -> None:
    existing = {
        (left, right): (pk, status)
        for pk, left, right, status in DuplicateCandidate.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type)
        .values_list("id", "left_id", "right_id", "status")
        .iterator(chunk_size=5000)
    }
    seen: set[tuple[int, int]] = set()
    new: list[DuplicateCandidate] = []
    changed: list[DuplicateCandidate] = []
    for left, right, probability, why, levels in found:
        pair = (left, right)
        seen.add(pair)
        known = existing.get(pair)
        values = {
            "probability": round(probability, 4),
            "reasons": why,
            "levels": levels,
            "cluster": cluster_of[left],
        }
        if known is None:
            new.append(
                DuplicateCandidate(
                    workspace=actor.workspace,
                    created_by=actor.user,
                    object_type=object_type,
                    left_id=left,
                    right_id=right,
                    run=run,
                    **values,
                )
            )
        elif known[1] in (CandidateStatus.OPEN, CandidateStatus.LATER):
            changed.append(DuplicateCandidate(pk=known[0], run=run, **values))
    stale = [
        pk
        for pair, (pk, status) in existing.items()
        if status == CandidateStatus.OPEN and pair not in seen
    ]
    for start in range(0, len(stale), 900):
        DuplicateCandidate.objects.filter(pk__in=stale[start : start + 900]).delete()
    DuplicateCandidate.objects.bulk_create(new, batch_size=500)
    DuplicateCandidate.objects.bulk_update(
        changed, ["probability", "reasons", "levels", "cluster", "run"], batch_size=500
    )


def decide(*, actor: Actor, candidate_id: int, status: str) -> DuplicateCandidate:
    """Mark a candidate pair "not a duplicate", "later" or open again. Merging goes through
    :func:`vinculo.quality.services.merge.merge_records`. Refuses viewers and other workspaces."""
    require(actor, "records.write")
    allowed = (CandidateStatus.NOT_DUPLICATE, CandidateStatus.LATER, CandidateStatus.OPEN)
    if status not in allowed:
        raise ValidationFailed.field(
            "status",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)},
            "invalid_choice",
        )
    with transaction.atomic():
        candidate = (
            DuplicateCandidate.objects.for_workspace(actor.workspace)
            .select_for_update()
            .filter(pk=candidate_id)
            .first()
        )
        if candidate is None:
            raise NotFound(_("No duplicate pair with id %(id)s.") % {"id": candidate_id})
        if candidate.status == CandidateStatus.MERGED:
            raise ValidationFailed.field(
                "status", _("This pair was merged; undo the merge instead."), "merged"
            )
        before = candidate.status
        candidate.status = status
        candidate.reviewed_by = actor.user
        candidate.reviewed_at = timezone.now()
        candidate.save()
        audit.record(actor, "duplicates.decided", candidate, changes={"status": [before, status]})
    return candidate
