"""Writes of the events app: ingest tracked events, link visitors, settings, inbound endpoints."""

from vinculo.events.services.cleaning import MAX_EVENTS_PER_CALL, STANDARD_NAMES
from vinculo.events.services.inbound import (
    Preview,
    create_inbound_endpoint,
    delete_inbound_endpoint,
    find_endpoint,
    preview_mapping,
    receive_webhook,
    update_inbound_endpoint,
)
from vinculo.events.services.ingest import ingest_events
from vinculo.events.services.merge import reassign_events
from vinculo.events.services.outcomes import IngestResult, RowOutcome
from vinculo.events.services.people import link_visitor, update_event_settings
from vinculo.events.services.resolve import settings_of
from vinculo.events.services.summaries import summarize

__all__ = [
    "MAX_EVENTS_PER_CALL",
    "STANDARD_NAMES",
    "IngestResult",
    "Preview",
    "RowOutcome",
    "create_inbound_endpoint",
    "delete_inbound_endpoint",
    "find_endpoint",
    "ingest_events",
    "link_visitor",
    "preview_mapping",
    "reassign_events",
    "receive_webhook",
    "settings_of",
    "summarize",
    "update_event_settings",
    "update_inbound_endpoint",
]
