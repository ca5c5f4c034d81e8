"""Inbound webhook endpoints: managing them, previewing a mapping, receiving a payload."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core import audit
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import FieldError, NotFound, ValidationFailed
from vinculo.core.permissions import require
from vinculo.events.mapping import apply_mapping, check_mapping
from vinculo.events.models import InboundEndpoint, InboundReceipt, ReceiptStatus, new_endpoint_token
from vinculo.events.presets import PRESETS
from vinculo.events.services.cleaning import _clean_row
from vinculo.events.services.ingest import ingest_events
from vinculo.events.services.outcomes import RowOutcome

MAX_BODY_BYTES = 1_000_000
SIGNATURE_HEADERS = ("HTTP_X_VINCULO_SIGNATURE", "HTTP_X_SIGNATURE_256", "HTTP_X_HUB_SIGNATURE_256")


def _clean_endpoint(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    allowed = {"name", "preset", "mapping", "secret", "is_active"}
    for unknown in sorted(set(data) - allowed):
        errors.append(FieldError(unknown, _("Unknown field."), "unknown_field"))
    fields: dict[str, Any] = {}
    if "name" in data or creating:
        name = str(data.get("name") or "").strip()
        if not name:
            errors.append(FieldError("name", _("Give the endpoint a name."), "required"))
        elif len(name) > 100:
            errors.append(FieldError("name", _("At most 100 characters."), "too_long"))
        fields["name"] = name
    if "preset" in data:
        preset = str(data["preset"] or "")
        if preset and preset not in PRESETS:
            errors.append(
                FieldError(
                    "preset",
                    _("Unknown preset; choose one of: %(choices)s.")
                    % {"choices": ", ".join(PRESETS)},
                    "invalid_choice",
                )
            )
        fields["preset"] = preset
    if "mapping" in data and data["mapping"] not in (None, {}):
        errors.extend(check_mapping(data["mapping"]))
        fields["mapping"] = data["mapping"]
    elif creating:
        chosen = PRESETS.get(fields.get("preset", ""))
        if chosen is None:
            errors.append(
                FieldError("mapping", _("Give a mapping or choose a preset."), "required")
            )
        else:
            fields["mapping"] = chosen.mapping
    if "secret" in data:
        secret = str(data["secret"] or "")
        if len(secret) > 200:
            errors.append(FieldError("secret", _("At most 200 characters."), "too_long"))
        fields["secret"] = secret
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            errors.append(FieldError("is_active", _("Enter true or false."), "invalid_boolean"))
        fields["is_active"] = data["is_active"]
    if errors:
        raise ValidationFailed(_("The endpoint was not saved."), errors=errors)
    return fields


def create_inbound_endpoint(*, actor: Actor, data: dict[str, Any]) -> InboundEndpoint:
    """Add an endpoint (a mapping, or a preset's). Refuses a missing name, an unknown preset, a
    mapping that names unknown fields or bad JSON paths."""
    require(actor, "settings.manage")
    fields = _clean_endpoint(data, creating=True)
    with transaction.atomic():
        endpoint = InboundEndpoint.objects.create(
            workspace=actor.workspace, created_by=actor.user, **fields
        )
        audit.record(actor, "inbound_endpoint.created", endpoint)
    return endpoint


def _get(actor: Actor, endpoint_id: int) -> InboundEndpoint:
    found = (
        InboundEndpoint.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=endpoint_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No inbound endpoint with id %(id)s.") % {"id": endpoint_id})
    return found


def update_inbound_endpoint(
    *, actor: Actor, endpoint_id: int, data: dict[str, Any], rotate_token: bool = False
) -> InboundEndpoint:
    """Change an endpoint's name, mapping, secret or state; ``rotate_token`` gives it a new URL."""
    require(actor, "settings.manage")
    fields = _clean_endpoint(data, creating=False)
    with transaction.atomic():
        endpoint = _get(actor, endpoint_id)
        changed = {k: v for k, v in fields.items() if getattr(endpoint, k) != v}
        for name, value in changed.items():
            setattr(endpoint, name, value)
        if rotate_token:
            endpoint.token = new_endpoint_token()
        endpoint.save()
        audit.record(
            actor,
            "inbound_endpoint.updated",
            endpoint,
            changes={
                "fields": sorted(k if k != "secret" else "secret" for k in changed),
                "token_rotated": rotate_token,
            },
        )
    return endpoint


def delete_inbound_endpoint(*, actor: Actor, endpoint_id: int) -> None:
    """Remove an endpoint and its receipt log; its URL answers 404 from then on."""
    require(actor, "settings.manage")
    with transaction.atomic():
        endpoint = _get(actor, endpoint_id)
        audit.record(actor, "inbound_endpoint.deleted", endpoint)
        endpoint.delete()


@dataclass
class Preview:
    rows: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def preview_mapping(*, actor: Actor, mapping: Any, payload: Any) -> Preview:
    """The events ``mapping`` would make of ``payload``, each checked as ingest would check it,
    without writing anything (people are not looked up)."""
    require(actor, "records.view")
    problems = check_mapping(mapping)
    if problems:
        return Preview(errors=problems)
    mapped = apply_mapping(mapping, payload)
    preview = Preview(rows=mapped.rows, errors=mapped.errors)
    workspace = actor.workspace
    now = timezone.now()
    for index, row in enumerate(mapped.rows):
        cleaned = _clean_row(
            index,
            row,
            now=now,
            region=(workspace.country or "BR").upper(),
            currency=workspace.default_currency or "BRL",
        )
        if isinstance(cleaned, list):
            preview.outcomes.append(RowOutcome(index, "error", errors=cleaned))
        else:
            preview.outcomes.append(RowOutcome(index, "created"))
    return preview


@dataclass
class Receipt:
    status: int
    body: dict[str, Any]


def find_endpoint(token: str) -> InboundEndpoint | None:
    """The active endpoint behind a public token (None: the caller answers 404)."""
    if not token or len(token) > 64:
        return None
    return (
        InboundEndpoint.objects.select_related("workspace")
        .filter(token=token, is_active=True)
        .first()
    )


def signature_ok(endpoint: InboundEndpoint, body: bytes, meta: dict[str, Any]) -> bool:
    """HMAC-SHA256 of the raw body with the endpoint's secret, hex (``sha256=`` optional)."""
    if not endpoint.secret:
        return True
    expected = hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
    for header in SIGNATURE_HEADERS:
        given = str(meta.get(header, "")).strip().removeprefix("sha256=")
        if given and hmac.compare_digest(given.lower(), expected):
            return True
    return False


def receive_webhook(*, endpoint: InboundEndpoint, body: bytes, meta: dict[str, Any]) -> Receipt:
    """Check the signature, map the payload, ingest the events; log the receipt whatever the
    outcome. Answers 401 (bad signature), 400 (not JSON), 413 (too big), 422 (does not map,
    or every event refused: the paths and fields are named) or 200 with the per-event results."""
    text = body[:MAX_BODY_BYTES].decode("utf-8", errors="replace")
    if len(body) > MAX_BODY_BYTES:
        return _log(
            endpoint,
            413,
            ReceiptStatus.REJECTED,
            None,
            text[:2000],
            [{"field": "body", "message": _("At most 1 MB."), "code": "too_large"}],
        )
    if not signature_ok(endpoint, body, meta):
        return _log(
            endpoint,
            401,
            ReceiptStatus.UNAUTHORIZED,
            None,
            text,
            [
                {
                    "field": "signature",
                    "message": _("The signature does not match."),
                    "code": "bad_signature",
                }
            ],
        )
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _log(
            endpoint,
            400,
            ReceiptStatus.REJECTED,
            None,
            text,
            [
                {
                    "field": "body",
                    "message": _("The body is not valid JSON."),
                    "code": "invalid_json",
                }
            ],
        )
    mapped = apply_mapping(endpoint.mapping, payload)
    if not mapped.rows:
        return _log(
            endpoint, 422, ReceiptStatus.REJECTED, payload, "", [e.as_dict() for e in mapped.errors]
        )
    for row in mapped.rows:
        if row.get("key"):
            # Keys are unique per workspace: each endpoint gets its own namespace.
            row["key"] = f"hook{endpoint.pk}:{row['key']}"[:120]
    actor = Actor.system(endpoint.workspace, source=Source.API)
    result = ingest_events(actor=actor, rows=mapped.rows, max_rows=None, source="webhook")
    errors = [e.as_dict() for e in mapped.errors] + [
        {**e.as_dict(), "field": f"events[{o.index}].{e.field}".rstrip(".")}
        for o in result.rows
        for e in o.errors
    ]
    counts = result.counts
    ids = [o.event_id for o in result.rows if o.event_id is not None]
    if counts["created"] + counts["duplicate"] == 0:
        return _log(endpoint, 422, ReceiptStatus.REJECTED, payload, "", errors)
    status = ReceiptStatus.PARTIAL if errors else ReceiptStatus.ACCEPTED
    return _log(endpoint, 200, status, payload, "", errors, ids, counts)


def _log(
    endpoint: InboundEndpoint,
    http_status: int,
    status: str,
    payload: Any,
    raw: str,
    errors: list[dict[str, Any]],
    event_ids: list[int] | None = None,
    counts: dict[str, int] | None = None,
) -> Receipt:
    receipt = InboundReceipt.objects.create(
        workspace_id=endpoint.workspace_id,
        endpoint=endpoint,
        status=status,
        http_status=http_status,
        payload=payload,
        raw_body=raw[:100_000],
        errors=errors,
        event_ids=event_ids or [],
    )
    body: dict[str, Any] = {"receipt_id": receipt.pk, "status": status, "errors": errors}
    if counts is not None:
        body.update(counts=counts, event_ids=event_ids or [])
    return Receipt(http_status, body)
