"""Webhook settings, read at call time (``settings.WEBHOOKS_*`` wins over ``VINCULO_WEBHOOKS_*``).

Variables (defaults in brackets), described in docs/webhooks.md:
``VINCULO_WEBHOOKS_TIMEOUT`` [10 s], ``_DISABLE_AFTER_HOURS`` [24] and ``_DISABLE_AFTER_FAILURES``
[10] (a subscription failing that long and that many times in a row is disabled),
``_CONCURRENCY`` [8 keep-alive connections per drain].
Retries and leases (``_MAX_ATTEMPTS``, ``_BACKOFF_SECONDS``, ``_BACKOFF_CAP_SECONDS``,
``_BACKOFF_JITTER_PERCENT``, ``_LEASE_SECONDS``) are the settings of the deliveries' work queue,
``delivery.WEBHOOKS`` (:mod:`vinculo.core.queue`), the same five the outbox has.
Which addresses may be called is the outbound guard's business (``vinculo.core.outbound``,
``VINCULO_OUTBOUND_ALLOWED_NETWORKS``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from vinculo.core.env import env_int


def _get(name: str, reader: Any, default: Any) -> Any:
    value = getattr(settings, f"WEBHOOKS_{name}", None)
    if value is not None:
        return value
    return reader(f"VINCULO_WEBHOOKS_{name}", default)


def timeout() -> float:
    return float(_get("TIMEOUT", env_int, 10))


def disable_after_hours() -> int:
    return int(_get("DISABLE_AFTER_HOURS", env_int, 24))


def disable_after_failures() -> int:
    return int(_get("DISABLE_AFTER_FAILURES", env_int, 10))


def concurrency() -> int:
    return max(1, int(_get("CONCURRENCY", env_int, 8)))
