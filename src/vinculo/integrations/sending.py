"""Sending one webhook delivery over HTTP: signed headers, keep-alive connections through the
outbound guard (:mod:`vinculo.core.outbound`), and the :class:`Outcome` the drain records.

Every new connection checks the URL's host again (DNS may have changed since the subscription
was saved) and connects to the address it checked; a refused target is never connected to, so
its attempt records the reason and no answer. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from vinculo.core import outbound
from vinculo.integrations import catalog, conf
from vinculo.integrations.models import WebhookDelivery, WebhookSubscription

USER_AGENT = "Vinculo-Webhooks/1"
RESPONSE_KEEP = 1024
Key = tuple[str, str, int]


class Connections:
    """Keep-alive HTTP connections per (scheme, host, port), one set per sending thread."""

    def __init__(self) -> None:
        self.pool: dict[Key, list[http.client.HTTPConnection]] = {}

    def take(self, url: str) -> tuple[Key, http.client.HTTPConnection, str, bool]:
        """A connection for ``url``, its pool key, the request target (path and query) and
        whether it is new. A new one is opened through the guard, which checks the host."""
        scheme, host, port, path = outbound.parse_url(url)
        key = (scheme, host, port)
        free = self.pool.get(key)
        if free:
            return key, free.pop(), path, False
        target = outbound.check_url(url)
        return key, outbound.open_connection(target, conf.timeout()), path, True

    def give_back(self, key: Key, conn: http.client.HTTPConnection) -> None:
        self.pool.setdefault(key, []).append(conn)

    def close(self) -> None:
        for conns in self.pool.values():
            for conn in conns:
                conn.close()
        self.pool.clear()


@dataclass
class Outcome:
    delivery: WebhookDelivery
    started_at: datetime
    duration_ms: int
    request_headers: dict[str, str]
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def request_headers(
    sub: WebhookSubscription, delivery: WebhookDelivery, body: bytes, timestamp: int
) -> dict[str, str]:
    secrets = [sub.secret]
    if sub.previous_secret and (
        sub.previous_secret_expires_at and sub.previous_secret_expires_at > timezone.now()
    ):
        secrets.append(sub.previous_secret)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Vinculo-Event": delivery.event_type,
        "Vinculo-Delivery": delivery.uid,
        "Vinculo-Timestamp": str(timestamp),
        "Vinculo-Signature": catalog.signature_header(secrets, timestamp, body),
    }


def send_one(
    conns: Connections, sub: WebhookSubscription, delivery: WebhookDelivery, now: datetime
) -> Outcome:
    """One POST of ``delivery``; never raises."""
    body = delivery.body.encode()
    headers = request_headers(sub, delivery, body, int(now.timestamp()))
    started = timezone.now()
    clock = time.perf_counter()
    outcome = Outcome(delivery, started, 0, headers)
    for try_number in range(2):  # a kept-alive connection the receiver closed: reconnect once
        conn = None
        fresh = True
        try:
            key, conn, path, fresh = conns.take(sub.url)
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            outcome.status = response.status
            outcome.response_headers = dict(response.getheaders())
            outcome.response_body = data[:RESPONSE_KEEP].decode("utf-8", "replace")
            if response.will_close:
                conn.close()
            else:
                conns.give_back(key, conn)
            break
        except outbound.Refused as exc:
            outcome.error = f"Refused: {exc.detail}"[:500]
            break
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            if conn is not None:
                conn.close()
            if fresh or try_number:
                outcome.error = f"{type(exc).__name__}: {exc}"[:500]
                break
        except (OSError, http.client.HTTPException) as exc:
            if conn is not None:
                conn.close()
            outcome.error = (
                "timeout"
                if isinstance(exc, TimeoutError | socket.timeout)
                else f"{type(exc).__name__}: {exc}"
            )[:500]
            break
    outcome.duration_ms = int((time.perf_counter() - clock) * 1000)
    return outcome
