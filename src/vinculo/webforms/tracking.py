"""Site tracking: the workspace's tracking key, page views from the snippet, and the bridge to
the app that stores tracked events (the events app, through the port
:mod:`vinculo.core.tracked_events`: ``ingest`` and ``link_visitor``).

Identification only ever happens through a form submit (:func:`record_form_event`): the collect
endpoint never trusts an email or person id sent by the browser, it only knows visitor ids.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core import audit, tracked_events
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import FieldError, NotFound, raise_if_any
from vinculo.core.permissions import require
from vinculo.webforms import ratelimit
from vinculo.webforms.models import Submission, TrackingSite, WebForm
from vinculo.webforms.services.errors import RateLimited
from vinculo.webforms.services.forms import clean_domains
from vinculo.webforms.services.gates import VISITOR_ID, ip_hash

logger = logging.getLogger(__name__)

MAX_URL = 2000


def _ingest(actor: Actor, rows: list[dict[str, Any]], source: str) -> bool:
    """Hand rows to the events app; False (and a warning) when it refused any."""
    errors = tracked_events.ingest(actor, rows, source=source)
    for error in errors:
        logger.warning("tracked event refused by the events app: %s", error)
    return not errors


def record_form_event(
    actor: Actor, form: WebForm, submission: Submission, person: Any, visitor_id: str
) -> bool:
    """Inside the submission's transaction: a ``form_submitted`` tracked event for the person
    (the events app writes its timeline entry, "Submitted the form …"), and the visitor's
    earlier anonymous page views attached to them. False when the events app refused the row."""
    row: dict[str, Any] = {
        "name": "form_submitted",
        "key": f"webform-submission:{submission.pk}",
        "occurred_at": submission.created_at.isoformat(),
        "person": {"id": person.pk},
        "properties": {
            "form_id": form.pk,
            "form": form.name,
            "submission_id": submission.pk,
            "page_url": submission.page_url,
        },
    }
    if visitor_id:
        row["visitor_id"] = visitor_id
    stored = _ingest(actor, [row], "form")
    if visitor_id:
        tracked_events.link_visitor(actor=actor, visitor_id=visitor_id, person_id=person.pk)
    return stored


# --- the tracking key -----------------------------------------------------------------------


def ensure_tracking_site(*, actor: Actor) -> TrackingSite:
    """The workspace's tracking key, made when it has none: a workspace default (made with the
    workspace), and what saving the tracking settings starts from. Reads use
    ``selectors.tracking_site``, which never makes it."""
    site = TrackingSite.objects.for_workspace(actor.workspace).first()
    if site is None:
        site, _created = TrackingSite.objects.get_or_create(
            workspace=actor.workspace, defaults={"created_by": actor.user}
        )
    return site


def update_tracking_site(*, actor: Actor, data: dict[str, Any]) -> TrackingSite:
    """Change the domains allowed to send page views, or switch tracking off."""
    require(actor, "settings.manage")
    errors: list[FieldError] = []
    for key in data:
        if key not in {"allowed_domains", "is_active"}:
            errors.append(FieldError(str(key), _("Unknown field."), "unknown_field"))
    changes: dict[str, Any] = {}
    if "allowed_domains" in data:
        changes["allowed_domains"] = clean_domains(data["allowed_domains"], errors)
    if "is_active" in data:
        changes["is_active"] = bool(data["is_active"])
    raise_if_any(errors)
    with transaction.atomic():
        site = ensure_tracking_site(actor=actor)
        site = TrackingSite.objects.select_for_update().get(pk=site.pk)
        before = {k: getattr(site, k) for k in changes}
        for name, value in changes.items():
            setattr(site, name, value)
        site.save()
        audit.record(actor, "tracking.updated", site, changes=audit.diff(before, changes))
    return site


def public_site(key: str) -> TrackingSite:
    site = (
        TrackingSite.objects.select_related("workspace")
        .filter(public_key=key, is_active=True)
        .first()
    )
    if site is None:
        raise NotFound(_("Unknown tracking key."))
    return site


def _clean_url(value: Any, field: str, errors: list[FieldError], *, required: bool) -> str:
    text = str(value or "").strip()[:MAX_URL]
    if not text:
        if required:
            errors.append(FieldError(field, _("This field is required."), "required"))
        return ""
    parsed = urlparse(text)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        errors.append(FieldError(field, _("Send an http(s) address."), "invalid"))
        return ""
    return text


def collect_page_view(
    site: TrackingSite, data: dict[str, Any], *, ip: str | None, user_agent: str = ""
) -> None:
    """One ``page_viewed`` event from the snippet, anonymous (visitor id only): the events app
    puts it on the person's timeline when the visitor is already linked, and a later form
    submit links the earlier ones. Refuses bad input (422) and floods (429).

    The rate-limit hit and the event share one transaction (one commit per page view); bad
    input is refused before either, writing nothing."""
    errors: list[FieldError] = []
    visitor_id = str(data.get("visitor_id") or "")
    if not VISITOR_ID.match(visitor_id):
        errors.append(
            FieldError("visitor_id", _("Send the visitor id the snippet keeps."), "invalid")
        )
    url = _clean_url(data.get("url"), "url", errors, required=True)
    referrer = _clean_url(data.get("referrer"), "referrer", [], required=False)
    title = str(data.get("title") or "").strip()[:300]
    event_id = str(data.get("event_id") or "")[:64] or uuid.uuid4().hex
    raise_if_any(errors)
    parsed = urlparse(url)
    actor = Actor(
        workspace=site.workspace,
        user=None,
        role=None,
        source=Source.SYSTEM,
        extra={"tracking_site_id": site.pk},
    )
    row = {
        "name": "page_viewed",
        "key": f"pv:{visitor_id}:{event_id}",
        "occurred_at": timezone.now().isoformat(),
        "visitor_id": visitor_id,
        "properties": {
            "url": url,
            "path": parsed.path or "/",
            "host": parsed.hostname or "",
            "title": title,
            "referrer": referrer,
        },
    }
    hashed = ip_hash(site.workspace_id, ip) or "unknown"
    rule = ratelimit.limit("WEBFORMS_RATE_COLLECT")
    with transaction.atomic():
        outcome = ratelimit.hit(site.workspace_id, f"track:{site.pk}:ip:{hashed}", rule)
        if outcome.allowed:
            _ingest(actor, [row], "tracking")
    if not outcome.allowed:
        raise RateLimited(
            _("Too many page views from this address; slow down."),
            retry_after=outcome.retry_after,
        )
