from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from vinculo.core.worker import run_burst, run_forever


class Command(BaseCommand):
    help = "Run background tasks and deliver domain events (database or RQ backend)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="Run what is queued and due, then exit."
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["burst"]:
            done = run_burst()
            self.stdout.write(f"burst finished: {done} deliveries completed by sweeps")
            return
        self.stdout.write(f"worker started (tasks: {settings.TASKS_MODE})")
        self.stdout.flush()
        run_forever(interval=options["interval"])
