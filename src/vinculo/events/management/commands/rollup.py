"""``vinculo rollup [--workspace SLUG] [--check]``: rebuild the hourly purchase roll-up the
purchase KPIs read (after purchases were written around the services, in bulk), or with
``--check`` only compare it with the purchases and list the hours that differ (exit 1 if any)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vinculo.core.tenancy import Workspace
from vinculo.events.services.rollup import differences, rebuild


class Command(BaseCommand):
    help = "Rebuild (or check) the hourly purchase roll-up of one or every workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="the workspace's slug (default: every one)")
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit 1 when an hour differs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace {options['workspace']!r}.")
        differing = 0
        for ws in workspaces:
            if options["check"]:
                found = differences(ws.pk)
                differing += len(found)
                for hour, currency in found:
                    self.stdout.write(f"{ws.slug}: {hour:%Y-%m-%d %H}:00 UTC {currency} differs")
            else:
                self.stdout.write(f"{ws.slug}: {rebuild(ws.pk)} hours rolled up")
        if differing:
            raise SystemExit(1)
        if options["check"]:
            self.stdout.write("The roll-up matches the purchases.")
