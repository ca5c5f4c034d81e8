"""The task worker: runs queued tasks (database or RQ backend) and sweeps the outbox.

``vinculo worker`` runs it in the foreground; ``vinculo serve`` runs the database flavour in
background threads of the web process (embedded mode).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

import django_rq
from django.conf import settings
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import Job

from vinculo.core import events, schedule

logger = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 100000}"


class OutboxSweeper(threading.Thread):
    """Every ``interval`` seconds, runs due deliveries (retries, missed enqueues, dead leases)
    and enqueues the recurring tasks that are due (``vinculo.core.schedule``)."""

    def __init__(self, interval: float = 5.0) -> None:
        super().__init__(name="vinculo-outbox-sweeper", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                events.dispatch_due()
                schedule.enqueue_due()
            except Exception:
                logger.exception("outbox sweep failed; trying again in %s s", self.interval)
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()


def _db_worker(*, batch: bool, interval: float, backend: str = "default"):
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name=backend,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )


def _db_tasks_waiting(backend: str) -> bool:
    return DBTaskResult.objects.ready().filter(backend_name=backend).exists()


def run_burst(*, mode: str | None = None) -> int:
    """Run every queued task and every due delivery, then return (used by tests and cron).

    Returns the number of deliveries the sweeps completed.
    """
    mode = mode or settings.TASKS_MODE
    completed = 0
    for _round in range(1000):
        completed_now = events.dispatch_due()
        completed += completed_now
        if mode == "rq":
            django_rq.get_worker("default", job_class=Job).work(burst=True)
            pending = django_rq.get_queue("default").count > 0
        else:
            _db_worker(batch=True, interval=0).run()
            pending = _db_tasks_waiting("default")
        if not pending and completed_now == 0 and events.dispatch_due() == 0:
            break
    return completed


def run_forever(*, interval: float = 1.0, sweep_interval: float = 5.0) -> None:
    """Run the configured backend's worker in this thread, with an outbox sweeper beside it."""
    sweeper = OutboxSweeper(sweep_interval)
    sweeper.start()
    try:
        if settings.TASKS_MODE == "rq":
            django_rq.get_worker("default", job_class=Job).work()
        else:
            worker = _db_worker(batch=False, interval=interval)
            worker.configure_signals()
            worker.run()
    finally:
        sweeper.stop()


class EmbeddedWorker:
    """The database worker and the sweeper in daemon threads of the web process."""

    def __init__(self, *, interval: float = 0.5, sweep_interval: float = 5.0) -> None:
        self.worker = _db_worker(batch=False, interval=interval)
        self.thread = threading.Thread(target=self._run, name="vinculo-worker", daemon=True)
        self.sweeper = OutboxSweeper(sweep_interval)

    def _run(self) -> None:
        while self.worker.running:
            try:
                self.worker.run()
            except Exception:
                logger.exception("embedded worker crashed; restarting in 1 s")
                time.sleep(1)

    def start(self) -> None:
        self.thread.start()
        self.sweeper.start()

    def stop(self) -> None:
        self.worker.running = False
        self.sweeper.stop()
