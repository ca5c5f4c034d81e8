from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vinculo.core.health import run_checks


class Command(BaseCommand):
    help = "Check the database, migrations, task queue and outbox; exit 1 when unhealthy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        checks = run_checks()
        if options["json"]:
            self.stdout.write(
                json.dumps({c.name: {"ok": c.ok, "detail": c.detail} for c in checks})
            )
        else:
            for c in checks:
                mark = self.style.SUCCESS("ok  ") if c.ok else self.style.ERROR("FAIL")
                self.stdout.write(f"{mark} {c.name:<11} {c.detail}")
        if not all(c.ok for c in checks):
            raise CommandError("unhealthy")
