from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vinculo.core.actor import Actor, Source
from vinculo.core.tenancy import Membership, Role, Workspace
from vinculo.demo.generator import seed_workspace
from vinculo.demo.integrations import seed_integrations
from vinculo.demo.workspace import DEMO_PEOPLE, DEMO_SLUG, ensure_demo_workspace


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo workspace and print its login; fill a workspace with "
        "realistic pt-BR CRM data once (never twice)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=DEMO_PEOPLE,
            help=f"How many people to create (default {DEMO_PEOPLE:,}; 0: no CRM data).",
        )
        parser.add_argument(
            "--workspace",
            default=DEMO_SLUG,
            metavar="SLUG",
            help=f"Seed this existing workspace instead of the demo one ({DEMO_SLUG!r}).",
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--companies", type=int, help="Default: people / 10.")
        parser.add_argument("--deals", type=int, help="Default: people / 5.")
        parser.add_argument("--activities", type=int, help="Default: one per person.")
        parser.add_argument(
            "--busy",
            type=int,
            default=0,
            metavar="N",
            help="Give one key account N activities (a long timeline).",
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 0:
            raise CommandError("--people cannot be negative")
        progress = None if options["json"] else self._progress
        extra = {
            "companies": options["companies"],
            "deals": options["deals"],
            "activities": options["activities"],
            "busy_person_activities": options["busy"],
        }
        slug = options["workspace"]
        login = None
        if slug == DEMO_SLUG:
            login = ensure_demo_workspace(people=0)
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"no workspace with slug {slug!r} (create it with createworkspace)")
        owner = (
            Membership.objects.filter(workspace=workspace, role=Role.OWNER, is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if owner is None:
            raise CommandError(f"workspace {slug!r} has no active owner")
        actor = Actor(workspace=workspace, user=owner.user, role=Role.OWNER, source=Source.SYSTEM)
        summary = None
        if options["people"]:
            self._started = time.perf_counter()
            summary = seed_workspace(
                actor=actor,
                people=options["people"],
                seed=options["seed"],
                progress=progress,
                **{k: v for k, v in extra.items() if v is not None},
            )
            if slug == DEMO_SLUG and not summary.skipped:
                seed_integrations(actor, seed=options["seed"])
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict() if summary else {}))
            return
        if summary is not None:
            self._report(summary)
        if login is not None:
            self.stdout.write(
                f"Demo workspace ready. email: {login.email} password: {login.password}"
            )

    def _progress(self, phase: str, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self._started
        line = f"  {phase:<11} {done:>9,} / {total:<9,} {elapsed:6.1f} s"
        if sys.stdout.isatty():
            end = "\n" if done >= total else ""
            self.stdout.write("\r" + line, ending=end)
        else:
            self.stdout.write(line)
        self.stdout.flush()

    def _report(self, summary: Any) -> None:
        if summary.skipped:
            self.stdout.write(
                f"Workspace {summary.workspace!r} already has people: nothing seeded."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.workspace!r} in {summary.seconds:.1f} s: "
                f"{summary.companies:,} companies, {summary.people:,} people, "
                f"{summary.deals:,} deals in {summary.pipelines} pipelines, "
                f"{summary.activities:,} activities ({summary.tasks:,} tasks)."
            )
        )
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in summary.phases.items())
        self.stdout.write(f"  phases: {phases}")
        if summary.row_errors:
            self.stderr.write(f"  {summary.row_errors} rows refused, e.g. {summary.first_errors}")
