"""Work queues: rows that are claimed with a lease, retried with backoff and given up on.

One mechanism for every table of deliveries: the outbox's ``EventDelivery``
(:mod:`vinculo.core.events`) and the webhooks' ``WebhookDelivery``
(:mod:`vinculo.integrations.delivery`). A row of such a table has ``status`` (pending, then
done or failed), ``attempts``, ``next_attempt_at``, ``last_error`` and ``finished_at``.

1. *claim*: one conditional ``UPDATE`` takes the due rows (pending, ``next_attempt_at <= now``)
   that nobody else took meanwhile, counts the attempt (``attempts + 1``) and leases them:
   ``next_attempt_at`` becomes the end of the lease, so no other worker takes them before it
   ends. The claim is known by a token in a column of its own when the queue has one (its
   lease can then be renewed), otherwise by the lease timestamp itself: a row can only be
   claimed again once its lease has passed, so a later claim always carries a later timestamp.
2. *finish*: the rows still held by the claim are marked done, conditionally, so a worker whose
   lease ran out and was taken over marks nothing (the outbox then undoes its transaction).
3. *fail*: a row still held goes back to pending, due after the backoff (``BACKOFF_SECONDS``
   doubling per attempt up to ``BACKOFF_CAP_SECONDS``, with ± ``BACKOFF_JITTER_PERCENT``), or
   is marked failed once it had ``MAX_ATTEMPTS`` attempts (or when the caller gives up).
4. *retry*: a person puts rows back in the queue, due now.

A worker that dies leaves its rows pending with a lease that runs out; the queue's sweeper
(``events.dispatch_due``, ``delivery.sweep``) finds them due again.

Each queue has the same five settings, ``<PREFIX>_LEASE_SECONDS``, ``_MAX_ATTEMPTS``,
``_BACKOFF_SECONDS``, ``_BACKOFF_CAP_SECONDS`` and ``_BACKOFF_JITTER_PERCENT``
(``settings.py``, from the ``VINCULO_<PREFIX>_…`` environment variables), read when used.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone

PENDING = "pending"
FAILED = "failed"


@dataclass(frozen=True)
class Policy:
    """How long a claim holds its rows and when a failed row is tried again."""

    lease_seconds: int
    max_attempts: int
    backoff_seconds: int
    backoff_cap_seconds: int
    jitter_percent: int = 0

    def lease_until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.lease_seconds)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: the base doubling per attempt, at
        most the cap, spread by the jitter (so retries to one receiver do not come in step)."""
        seconds = min(self.backoff_seconds * 2 ** max(attempts - 1, 0), self.backoff_cap_seconds)
        if self.jitter_percent:
            spread = self.jitter_percent / 100
            seconds *= random.uniform(1 - spread, 1 + spread)  # noqa: S311 (jitter, not crypto)
        return timedelta(seconds=seconds)


@dataclass
class Claim:
    """Rows one worker took with one ``UPDATE``: among ``pks``, those still carrying its token
    (or, without a token column, its lease timestamp)."""

    pks: list[int]
    lease_until: datetime
    token: str = ""
    count: int = 0


class WorkQueue:
    """A table of rows worked through by claims (see the module docstring).

    ``done`` is the model's status value of a finished row; ``claim_field`` names a column
    holding the claim's token (needed to renew a lease), or is ``None`` (the lease timestamp
    then tells the claim)."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        settings_prefix: str,
        done: str,
        claim_field: str | None = None,
    ) -> None:
        self.model = model
        self.settings_prefix = settings_prefix
        self.done = done
        self.claim_field = claim_field

    def __repr__(self) -> str:
        return f"<WorkQueue {self.settings_prefix} of {self.model.__name__}>"

    # --- settings ---------------------------------------------------------------------------

    def _setting(self, name: str, minimum: int) -> int:
        return max(minimum, int(getattr(settings, f"{self.settings_prefix}_{name}")))

    def policy(self) -> Policy:
        """This queue's settings as they are now."""
        return Policy(
            lease_seconds=self._setting("LEASE_SECONDS", 1),
            max_attempts=self._setting("MAX_ATTEMPTS", 1),
            backoff_seconds=self._setting("BACKOFF_SECONDS", 1),
            backoff_cap_seconds=self._setting("BACKOFF_CAP_SECONDS", 1),
            jitter_percent=min(self._setting("BACKOFF_JITTER_PERCENT", 0), 100),
        )

    # --- reading ----------------------------------------------------------------------------

    @property
    def rows(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def due(self, now: datetime | None = None) -> models.QuerySet[Any]:
        """Pending rows whose time has come: never tried, retrying, or of a lease that ended."""
        return self.rows.filter(status=PENDING, next_attempt_at__lte=now or timezone.now())

    def held(self, claim: Claim, pks: Iterable[int] | None = None) -> models.QuerySet[Any]:
        """The rows of ``pks`` (by default all the claim's) that ``claim`` still holds: pending
        and not taken over since."""
        rows = self.rows.filter(pk__in=claim.pks if pks is None else list(pks), status=PENDING)
        if self.claim_field:
            return rows.filter(**{self.claim_field: claim.token})
        return rows.filter(next_attempt_at=claim.lease_until)

    # --- writing ----------------------------------------------------------------------------

    def claim(self, pks: Iterable[int], now: datetime, **conditions: Any) -> Claim | None:
        """Take the due ones of ``pks`` (also matching ``conditions``) with one conditional
        ``UPDATE``, counting an attempt and leasing them; ``None`` when none was free."""
        pks = list(pks)
        if not pks:
            return None
        claim = Claim(pks, self.policy().lease_until(now))
        fields: dict[str, Any] = {
            "attempts": F("attempts") + 1,
            "next_attempt_at": claim.lease_until,
        }
        if self.claim_field:
            claim.token = uuid.uuid4().hex
            fields[self.claim_field] = claim.token
        claim.count = self.rows.filter(
            pk__in=pks, status=PENDING, next_attempt_at__lte=now, **conditions
        ).update(**fields)
        return claim if claim.count else None

    def renew(self, claim: Claim, now: datetime) -> int:
        """Push the lease of the rows ``claim`` still holds one lease past ``now``; returns how
        many it still holds. A live worker renews, so only a dead one's rows are taken again."""
        lease_until = self.policy().lease_until(now)
        renewed = self.held(claim).update(next_attempt_at=lease_until)
        claim.lease_until = lease_until
        return int(renewed)

    def finish(self, claim: Claim, pks: Iterable[int], **fields: Any) -> int:
        """Mark done those of ``pks`` that ``claim`` still holds (with ``fields``); returns how
        many. Fewer than asked means the lease ran out and another worker took the rest."""
        update = {"status": self.done, "finished_at": timezone.now(), "last_error": ""}
        return int(self.held(claim, pks).update(**{**update, **self._release(), **fields}))

    def fail(
        self,
        claim: Claim,
        pk: int,
        *,
        attempts: int,
        error: str,
        now: datetime,
        max_attempts: int | None = None,
        give_up: bool = False,
        **fields: Any,
    ) -> bool:
        """Record the failure of ``pk``'s ``attempts``-th attempt (if ``claim`` still holds it):
        due again after the backoff from ``now``, or failed once it had ``max_attempts`` (the
        queue's setting unless given) or when ``give_up``. Returns True when it was failed."""
        policy = self.policy()
        limit = policy.max_attempts if max_attempts is None else max_attempts
        gave_up = give_up or attempts >= limit
        update: dict[str, Any] = {"last_error": error, **self._release(), **fields}
        if gave_up:
            update.update(status=FAILED, finished_at=timezone.now())
        else:
            update["next_attempt_at"] = now + policy.backoff(attempts)
        self.held(claim, [pk]).update(**update)
        return gave_up

    def retry(self, rows: models.QuerySet[Any], **fields: Any) -> int:
        """Put ``rows`` back in the queue, due now, whatever their state (a person asked; the
        caller checks permissions and audits). Their attempts are kept, so a row that had used
        them up gets one more."""
        update = {"status": PENDING, "next_attempt_at": timezone.now(), "finished_at": None}
        return int(rows.update(**{**update, **self._release(), **fields}))

    def _release(self) -> dict[str, Any]:
        return {self.claim_field: ""} if self.claim_field else {}
