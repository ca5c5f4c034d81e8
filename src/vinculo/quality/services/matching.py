"""The workspace's matcher: one model per record type, learned by the scan and used by the scan,
imports and the duplicate check of a new record, so the three never disagree.

Glue between the database and :mod:`vinculo.quality.matching` (pure numpy): which fields are
compared (standard ones and the custom fields an owner marked as identifiers), the records, the
labels users gave, the stored model, and the reasons of a pair in codes and figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from vinculo.contacts.models import CustomFieldDefinition
from vinculo.core.actor import Actor
from vinculo.quality.matching import engine
from vinculo.quality.matching.blocking import Rule, company_rules, person_rules
from vinculo.quality.matching.model import Params, default_params
from vinculo.quality.matching.schema import (
    Schema,
    Table,
    build_table,
    company_schema,
    person_schema,
)
from vinculo.quality.models.duplicates import RecordType
from vinculo.quality.selectors import duplicates as selectors
from vinculo.quality.selectors.matching import lookup_candidates

MAX_POSITIVE = 6
MAX_NEGATIVE = 3


def identifier_fields(actor: Actor, object_type: str) -> list[tuple[str, str]]:
    """The custom fields of this record type an owner marked as identifiers:
    ``(key, field_type)``."""
    return list(
        CustomFieldDefinition.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type, identifier=True, archived_at__isnull=True)
        .order_by("position", "id")
        .values_list("key", "field_type")
    )


def schema_for(actor: Actor, object_type: str) -> Schema:
    custom = identifier_fields(actor, object_type)
    return person_schema(custom) if object_type == RecordType.PERSON else company_schema(custom)


def rules_for(schema: Schema) -> list[Rule]:
    identifiers = [f.key for f in schema.fields if f.key.startswith("custom:")]
    if schema.object_type == RecordType.PERSON:
        return person_rules(identifiers)
    return company_rules(identifiers)


def labels_for(actor: Actor, schema: Schema) -> tuple[np.ndarray, np.ndarray] | None:
    """The decided pairs as a level matrix over ``schema``'s fields (a field the pair was not
    compared on is missing) and whether each is a match."""
    keys = [f.key for f in schema.fields]
    rows, answers = [], []
    for levels, same in selectors.labelled_levels(actor, schema.object_type):
        rows.append([int(levels.get(key, -1)) for key in keys])
        answers.append(same)
    if not rows:
        return None
    return np.asarray(rows, dtype=np.int8), np.asarray(answers, dtype=bool)


def reasons(schema: Schema, levels: np.ndarray, weights: np.ndarray) -> list[dict[str, Any]]:
    """Why a pair scored as it did, strongest first: each field whose agreement level moved the
    weight by at least a bit, as ``{"code": "field", "field", "level", "bits"}`` (rendered in
    the reader's language by ``reason_text``); at most six for, three against."""
    found: list[dict[str, Any]] = []
    for column, f in enumerate(schema.fields):
        level = int(levels[column])
        bits = float(weights[column])
        if level < 0 or abs(bits) < 1.0:
            continue
        found.append(
            {"code": "field", "field": f.key, "level": f.levels[level], "bits": round(bits, 1)}
        )
    found.sort(key=lambda r: -abs(float(r["bits"])))
    positive = [r for r in found if float(r["bits"]) > 0][:MAX_POSITIVE]
    negative = [r for r in found if float(r["bits"]) < 0][:MAX_NEGATIVE]
    return positive + negative


def level_map(schema: Schema, levels: np.ndarray) -> dict[str, int]:
    """A pair's levels by field key (stored with the candidate, a label once decided)."""
    return {f.key: int(levels[c]) for c, f in enumerate(schema.fields) if levels[c] >= 0}


def run_scan(
    actor: Actor,
    object_type: str,
    rows: Any,
    *,
    auto_precision: float,
    progress: engine.Progress | None = None,
) -> tuple[Schema, Table, engine.Result]:
    """Learn the model from ``rows`` (the workspace's live records) and the users' labels, and
    score every candidate pair."""
    schema = schema_for(actor, object_type)
    table = build_table(schema, rows)
    result = engine.run(
        table,
        rules_for(schema),
        labels=labels_for(actor, schema),
        auto_precision=auto_precision,
        progress=progress,
    )
    return schema, table, result


@dataclass
class Model:
    """The model a check scores with: the stored one when it was learned on the same fields,
    else the default weights; and the review threshold."""

    params: Params | None
    review_threshold: float
    learned: bool


def current_model(actor: Actor, object_type: str, schema: Schema) -> Model:
    stored = selectors.match_model(actor, object_type)
    if stored is not None and stored.params.get("signature") == schema.signature:
        return Model(Params.from_json(stored.params), stored.review_threshold, True)
    return Model(None, 0.5, False)


@dataclass
class ProbableMatch:
    """An existing record the matcher thinks ``values`` describes, with why."""

    record_id: int
    probability: float
    reasons: list[dict[str, Any]]
    levels: dict[str, int]


def probable_matches(
    actor: Actor,
    object_type: str,
    values: dict[str, Any],
    *,
    exclude_id: int | None = None,
    threshold: float | None = None,
) -> list[ProbableMatch]:
    """Live records of the workspace that are probably the customer ``values`` describes (at or
    above the review threshold the last scan chose, or ``threshold``), most probable first."""
    schema = schema_for(actor, object_type)
    identifiers = [f.key.split(":", 1)[1] for f in schema.fields if f.key.startswith("custom:")]
    found = lookup_candidates(actor, object_type, values, identifiers, exclude_id=exclude_id)
    if not found:
        return []
    table = build_table(schema, [{**values, "id": 0}, *found])
    model = current_model(actor, object_type, schema)
    params = model.params or default_params(table)
    left = np.zeros(len(found), dtype=np.int64)
    right = np.arange(1, len(found) + 1, dtype=np.int64)
    probability, levels, weights = engine.score(params, table, left, right)
    limit = model.review_threshold if threshold is None else threshold
    out = [
        ProbableMatch(
            int(table.ids[right[k]]),
            float(probability[k]),
            reasons(schema, levels[k], weights[k]),
            level_map(schema, levels[k]),
        )
        for k in np.argsort(-probability, kind="stable")
        if probability[k] >= limit
    ]
    return out
