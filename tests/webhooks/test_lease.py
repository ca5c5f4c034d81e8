"""Leases of webhook batches: a drain process killed in the middle of a batch gives it back one
lease (``VINCULO_WEBHOOKS_LEASE_SECONDS``) later; a live drain renews its lease while a slow
receiver answers, so nobody else sends its batch twice. Real drain processes, a real receiver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.core.test_outbox import ROOT, _worker_env
from tests.webhooks.conftest import Receiver
from tests.webhooks.helpers import drain, run_outbox, subscribe
from vinculo.contacts import services as contacts
from vinculo.integrations.models import DeliveryState, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db(transaction=True)
LEASE = 2


def _drain_process(tmp_path, sub: WebhookSubscription) -> subprocess.Popen[str]:
    """``delivery.drain`` of ``sub`` in a process of its own, one connection at a time."""
    code = (
        "from vinculo.integrations import delivery; "
        f"print(delivery.drain({sub.pk}, concurrency=1, linger=0))"
    )
    env = _worker_env(
        tmp_path,
        VINCULO_WEBHOOKS_LEASE_SECONDS=str(LEASE),
        VINCULO_OUTBOUND_ALLOWED_NETWORKS="127.0.0.1/32",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "vinculo", "manage", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _queue(ana, receiver: Receiver, count: int) -> WebhookSubscription:
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    for n in range(count):
        contacts.create_person(actor=ana.actor, data={"first_name": f"Pessoa {n}"})
    run_outbox()
    assert WebhookDelivery.objects.filter(subscription=sub).count() == count
    return sub


def _wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_dead_workers_batch_is_taken_again_after_the_lease(ana, receiver, settings, tmp_path):
    settings.WEBHOOKS_LEASE_SECONDS = LEASE
    receiver.gate.clear()  # the receiver hangs: the drain process is stuck in its first POST
    sub = _queue(ana, receiver, 3)
    process = _drain_process(tmp_path, sub)
    try:
        _wait_for(lambda: len(receiver.requests) == 1)
        process.send_signal(signal.SIGKILL)  # kill -9 in the middle of the batch
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    killed = timezone.now()
    held = list(WebhookDelivery.objects.filter(subscription=sub))
    assert all(d.claim and d.status == DeliveryState.PENDING for d in held)
    assert max(d.next_attempt_at for d in held) <= killed + timedelta(seconds=LEASE)
    receiver.gate.set()
    # Within the lease the batch is still the dead worker's.
    if timezone.now() < min(d.next_attempt_at for d in held):
        assert drain(sub) == 0
    time.sleep(max((max(d.next_attempt_at for d in held) - timezone.now()).total_seconds(), 0))
    time.sleep(0.1)
    assert drain(sub) == 3
    statuses = WebhookDelivery.objects.filter(subscription=sub).values_list("status", flat=True)
    assert set(statuses) == {DeliveryState.SUCCEEDED}
    # At least once: the POST the dead worker made, then each delivery once.
    assert len(receiver.requests) == 4


def test_a_live_workers_renewed_lease_is_not_stolen(ana, receiver, settings, tmp_path):
    settings.WEBHOOKS_LEASE_SECONDS = LEASE
    receiver.delay = 0.7  # 6 deliveries, one at a time: ~4 s, twice the lease
    sub = _queue(ana, receiver, 6)
    process = _drain_process(tmp_path, sub)
    try:
        _wait_for(lambda: len(receiver.requests) >= 1)
        stolen = 0
        while process.poll() is None:
            # Another worker tries all along, well past the first lease.
            stolen += drain(sub)
            time.sleep(0.3)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    assert process.returncode == 0, err
    assert out.strip().splitlines()[-1] == "6"
    assert stolen == 0
    uids = [r.headers["Vinculo-Delivery"] for r in receiver.requests]
    assert len(uids) == 6 and len(set(uids)) == 6
    assert set(
        WebhookDelivery.objects.filter(subscription=sub).values_list("attempts", flat=True)
    ) == {1}
