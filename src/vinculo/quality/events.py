"""Domain events of data quality (imports, exports, duplicates, entry rules, the audit): their
payload schemas and examples."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.core.event_types import Changed, EventType, Payload, register_event_types
from vinculo.quality.models import ExportFormat, RuleKind, RuleObject


class Merged(Payload):
    loser_id: int = Field(description="The duplicate merged into the subject (now in the bin).")
    merge_id: int = Field(description="The merge's id, to undo it.")
    automatic: bool = Field(description="Merged by the automatic mode, not by a person.")


class MergeUndone(Payload):
    loser_id: int
    merge_id: int


class ExportCompleted(Payload):
    object_type: str = Field(description="person, company or deal.")
    format: ExportFormat
    rows: int


class ExportFailed(Payload):
    error: str = Field(description="The start of the error message.")


class ImportCreated(Payload):
    file: str = Field(description="The uploaded file's name.")


class ImportStarted(Payload):
    resumed: bool = Field(description="True when a paused or interrupted import resumed.")


class ImportFinished(Payload):
    created: int
    updated: int
    skipped: int
    rejected: int


class AuditCompleted(Payload):
    score: int = Field(description="The data-quality score, 0-100.")


class EntryRule(Payload):
    object_type: RuleObject
    field: str
    kind: RuleKind
    format: str = Field(description="The named format of a format rule, else an empty text.")
    is_active: bool


class EntryRuleUpdated(EntryRule):
    changed: Changed


_RULE = {
    "object_type": "person",
    "field": "cpf",
    "kind": "required",
    "format": "",
    "is_active": True,
}

register_event_types(
    EventType(
        "person.merged",
        gettext_noop("A duplicate person was merged into another (payload: loser, merge id)."),
        Merged,
        example={"loser_id": 57, "merge_id": 3, "automatic": False},
    ),
    EventType(
        "company.merged",
        gettext_noop("A duplicate company was merged into another (payload: loser, merge id)."),
        Merged,
        example={"loser_id": 18, "merge_id": 4, "automatic": True},
    ),
    EventType(
        "person.merge_undone",
        gettext_noop("A merge of two people was undone."),
        MergeUndone,
        example={"loser_id": 57, "merge_id": 3},
    ),
    EventType(
        "company.merge_undone",
        gettext_noop("A merge of two companies was undone."),
        MergeUndone,
        example={"loser_id": 18, "merge_id": 4},
    ),
    EventType(
        "export.completed",
        gettext_noop("A file export finished (payload: object type, format, rows)."),
        ExportCompleted,
        example={"object_type": "person", "format": "xlsx", "rows": 1250},
    ),
    EventType(
        "export.failed",
        gettext_noop("A background export failed."),
        ExportFailed,
        example={"error": "OSError: [Errno 28] No space left on device"},
    ),
    EventType(
        "import.created",
        gettext_noop("A file was uploaded for import."),
        ImportCreated,
        example={"file": "clientes-2026.csv"},
    ),
    EventType(
        "import.started",
        gettext_noop("An import was queued to run (or resumed)."),
        ImportStarted,
        example={"resumed": False},
    ),
    EventType(
        "import.finished",
        gettext_noop("An import finished (payload: counts)."),
        ImportFinished,
        example={"created": 1180, "updated": 42, "skipped": 3, "rejected": 25},
    ),
    EventType(
        "audit.completed",
        gettext_noop("A data-quality audit finished (payload: score)."),
        AuditCompleted,
        example={"score": 83},
    ),
    EventType(
        "entry_rule.created",
        gettext_noop("An entry rule was added."),
        EntryRule,
        example=_RULE,
    ),
    EventType(
        "entry_rule.updated",
        gettext_noop("An entry rule was switched on or off, or its message changed."),
        EntryRuleUpdated,
        example={**_RULE, "is_active": False, "changed": ["is_active"]},
    ),
    EventType(
        "entry_rule.deleted",
        gettext_noop("An entry rule was deleted."),
        EntryRule,
        example=_RULE,
    ),
)
