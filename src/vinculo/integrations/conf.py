"""Webhook settings, read at call time (``settings.WEBHOOKS_*`` wins over ``VINCULO_WEBHOOKS_*``).

Variables (defaults in brackets), described in docs/webhooks.md:
``VINCULO_WEBHOOKS_TIMEOUT`` [10 s], ``_MAX_ATTEMPTS`` [14], ``_BACKOFF_SECONDS`` [60, doubling],
``_BACKOFF_CAP_SECONDS`` [21600], ``_DISABLE_AFTER_HOURS`` [24] and ``_DISABLE_AFTER_FAILURES``
[10] (a subscription failing that long and that many times in a row is disabled),
``_CONCURRENCY`` [8 keep-alive connections per drain], ``_LEASE_SECONDS`` [60: how long a claimed
batch is held without renewal; a live drain renews it every third of that].
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


def max_attempts() -> int:
    return max(1, int(_get("MAX_ATTEMPTS", env_int, 14)))


def backoff_seconds() -> int:
    return max(1, int(_get("BACKOFF_SECONDS", env_int, 60)))


def backoff_cap_seconds() -> int:
    return max(1, int(_get("BACKOFF_CAP_SECONDS", env_int, 6 * 3600)))


def disable_after_hours() -> int:
    return int(_get("DISABLE_AFTER_HOURS", env_int, 24))


def disable_after_failures() -> int:
    return int(_get("DISABLE_AFTER_FAILURES", env_int, 10))


def concurrency() -> int:
    return max(1, int(_get("CONCURRENCY", env_int, 8)))


def lease_seconds() -> int:
    return max(1, int(_get("LEASE_SECONDS", env_int, 60)))
