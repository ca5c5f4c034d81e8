"""Fixed-window rate limits kept in the database, so they hold across every web process.

Each bucket (``form:12:ip:<hash>``) counts hits per window in :class:`RateCounter`; the counter
is bumped with ``F()`` so concurrent requests never lose a hit. Limits come from settings
(``WEBFORMS_RATE_PER_IP`` …, env ``VINCULO_WEBFORMS_RATE_PER_IP`` …) written ``"hits/seconds"``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from vinculo.webforms.models import RateCounter

DEFAULTS = {
    # one visitor (IP) posting one form: 10 posts per 10 minutes
    "WEBFORMS_RATE_PER_IP": "10/600",
    # one form, whatever the IP: 300 posts per minute
    "WEBFORMS_RATE_PER_FORM": "300/60",
    # page views of one visitor (IP) on one tracking key: 300 per minute
    "WEBFORMS_RATE_COLLECT": "300/60",
}
# Windows older than this are deleted when a new window starts.
KEEP = timedelta(hours=2)


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    hits: int
    retry_after: int


def limit(name: str) -> Limit:
    """The configured limit ``name`` (a key of :data:`DEFAULTS`)."""
    raw = getattr(settings, name, None) or os.environ.get(f"VINCULO_{name}") or DEFAULTS[name]
    hits, _, seconds = str(raw).partition("/")
    return Limit(int(hits), max(int(seconds or 60), 1))


def hit(workspace_id: int, bucket: str, rule: Limit, *, now: datetime | None = None) -> Outcome:
    """Count one hit in ``bucket``; ``allowed`` is False once the window holds more than
    ``rule.hits``. Runs in its own transaction: a refused or failed request still counts."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    start_ts = epoch - epoch % rule.seconds
    start = datetime.fromtimestamp(start_ts, tz=UTC)
    with transaction.atomic():
        rows = RateCounter.objects.filter(bucket=bucket, window_start=start)
        if not rows.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        workspace_id=workspace_id, bucket=bucket, window_start=start, hits=1
                    )
            except IntegrityError:
                rows.update(hits=F("hits") + 1)
            else:
                RateCounter.objects.filter(
                    workspace_id=workspace_id, window_start__lt=now - KEEP
                ).delete()
        hits = rows.values_list("hits", flat=True).get()
    return Outcome(hits <= rule.hits, hits, start_ts + rule.seconds - epoch)
