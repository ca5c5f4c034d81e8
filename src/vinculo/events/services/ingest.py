"""Ingesting tracked events: one batch, one transaction, a handful of queries whatever its size.

:func:`ingest_events` validates each row, answers rows whose idempotency key is already stored
as duplicates, resolves the others to people (id, external id, email, phone, visitor link),
creates unknown people as leads when the workspace says so, then writes the events, their
purchases, one timeline entry per event with a person and one ``event.received`` domain event
per event — all with the bulk insert path. Bad rows are reported by index and field; good rows
are kept.

The steps live in their own modules: :mod:`.cleaning` (one row's fields), :mod:`.resolve`
(duplicates and people), :mod:`.writing` (the bulk writes), :mod:`.summaries` (timeline lines),
:mod:`.outcomes` (what each row became).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor, Source
from vinculo.core.bulk import RowError
from vinculo.core.errors import ServiceError, ValidationFailed
from vinculo.core.permissions import require
from vinculo.events.models import EventSource
from vinculo.events.services.cleaning import MAX_EVENTS_PER_CALL, _clean_row, _Row
from vinculo.events.services.ingest_guard import one_by_one
from vinculo.events.services.outcomes import IngestResult, RowOutcome
from vinculo.events.services.resolve import _answer_duplicates, _resolve_people
from vinculo.events.services.writing import _write

logger = logging.getLogger(__name__)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is built: its tens of thousands of young dicts
    and tuples live until the batch ends (then reference counting frees them), yet they kept
    triggering full collections, each walking the whole process heap — about a tenth of a
    batch's time. Nothing is lost: collection resumes as soon as the batch is done. The switch is
    process-wide: in a threaded server another thread only collects a little later; a batch
    that finds the collector already off leaves it as it found it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _source_of(actor: Actor, source: str | None) -> str:
    if source:
        if source not in EventSource.values:
            raise ValueError(f"unknown event source {source!r}")
        return source
    mapping: dict[str, str] = {
        Source.API: EventSource.API,
        Source.UI: EventSource.UI,
        Source.IMPORT: "import",
    }
    return str(mapping.get(actor.source, EventSource.SYSTEM))


def ingest_events(
    *,
    actor: Actor,
    rows: list[Any],
    max_rows: int | None = MAX_EVENTS_PER_CALL,
    source: str | None = None,
) -> IngestResult:
    """Store a batch of tracked events (see the module docstring and docs/events.md).

    Refuses (per row, the others are kept): unknown fields, a bad name, a date more than a day
    ahead, bad emails/phones/amounts/currencies, an unknown person when creating leads is off
    (unless the row carries a ``visitor_id``: it is then kept anonymous), a person id that is
    not in the workspace. Refuses the whole call when ``rows`` is not a list or is too long.
    ``source`` says where the events came from (``api``, ``webhook``, ``form``, ``tracking``…);
    by default the actor's source.
    """
    require(actor, "records.write")
    if not isinstance(rows, list):
        raise ValidationFailed.field("rows", _("Send a list of events."), "invalid_type")
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed.field(
            "rows", _("At most %(n)s events per call.") % {"n": max_rows}, "too_many"
        )
    event_source = _source_of(actor, source)
    # A concurrent batch may store one of our keys between our look-up and our insert: the
    # unique constraint refuses ours, and a second pass answers that row as a duplicate.
    for attempt in range(3):
        try:
            with transaction.atomic(), collector_paused():
                return _ingest(actor, rows, event_source)
        except IntegrityError:
            if attempt == 2:
                raise
        except ServiceError:
            raise
        except Exception:  # one bad row never fails the batch: store them one by one
            if len(rows) < 2:
                raise
            logger.exception("a batch of %s events failed; storing them one by one", len(rows))
            return one_by_one(
                lambda row: ingest_events(actor=actor, rows=[row], max_rows=None, source=source),
                rows,
            )
    raise AssertionError("unreachable")


def _ingest(actor: Actor, rows: list[Any], event_source: str) -> IngestResult:
    workspace = actor.workspace
    now = timezone.now()
    region = (workspace.country or "BR").upper()
    currency = workspace.default_currency or "BRL"
    outcomes: list[RowOutcome] = []
    good: list[_Row] = []
    for index, raw in enumerate(rows):
        cleaned = _clean_row(index, raw, now=now, region=region, currency=currency)
        if isinstance(cleaned, list):
            outcomes.append(RowOutcome(index, "error", errors=cleaned))
        else:
            outcomes.append(RowOutcome(index, "created"))
            good.append(cleaned)
    good = _answer_duplicates(actor, good, outcomes)
    result = IngestResult(rows=outcomes)
    good = _resolve_people(actor, good, outcomes, result)
    if good:
        _write(actor, good, outcomes, result, event_source, now)
    for outcome in outcomes:
        if outcome.status == "duplicate" and outcome.event_id is not None and outcome.event_id < 0:
            # A key repeated inside the batch: the answer of the row that carried it first.
            first = outcomes[-outcome.event_id - 1]
            outcome.event_id, outcome.person_id = first.event_id, first.person_id
            if first.status == "error":
                outcome.status, outcome.errors = "error", list(first.errors)
    result.errors = [RowError(o.index, o.errors) for o in outcomes if o.status == "error"]
    return result
