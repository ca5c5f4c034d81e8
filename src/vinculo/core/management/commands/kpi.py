"""``vinculo kpi [KEY] --workspace SLUG [--from D --to D --grain G --group-by DIM --json]``:
list the KPIs, or measure one (the same numbers as the API and the dashboards)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from vinculo.core.actor import Actor, Source
from vinculo.core.currency import CONVERTED
from vinculo.core.errors import ServiceError
from vinculo.core.filters import parse_filter_param
from vinculo.core.kpis import Grain, Scope, all_kpis, measure
from vinculo.core.kpis.api import kpi_json, measurement_json
from vinculo.core.tenancy import Workspace


def _currency(raw: str | None) -> str:
    return CONVERTED if raw == CONVERTED else (raw or "").upper()


class Command(BaseCommand):
    help = "List the KPIs, or measure one over a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", nargs="?", help="The KPI (omit to list them).")
        parser.add_argument("--workspace", help="Workspace slug or id.")
        parser.add_argument("--from", dest="start", type=date.fromisoformat)
        parser.add_argument("--to", dest="end", type=date.fromisoformat)
        parser.add_argument("--grain", choices=[g.value for g in Grain], default="week")
        parser.add_argument("--group-by", dest="group_by")
        parser.add_argument("--filter", help="A segment in the filter language (JSON).")
        parser.add_argument("--on", dest="segment_object", choices=["person", "deal"],
                            default="person", help="What the filter is on.")  # fmt: skip
        parser.add_argument("--currency", help="One currency, or 'converted'.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["key"]:
            for kpi in all_kpis():
                self.stdout.write(f"{kpi.key}\t{kpi.unit}\t{kpi.name}")
            return
        workspace = self._workspace(options["workspace"])
        actor = Actor.system(workspace, source=Source.CLI)
        end = options["end"] or timezone.localdate()
        start = options["start"] or end - timedelta(days=29)
        try:
            found = measure(
                options["key"],
                Scope(
                    actor=actor,
                    segment=parse_filter_param(options["filter"]),
                    currency=_currency(options["currency"]),
                ),
                start=start,
                end=end,
                grain=Grain(options["grain"]),
                group_by=options["group_by"],
                segment_object=options["segment_object"],
            )
        except ServiceError as exc:
            raise CommandError(exc.detail) from exc
        body = measurement_json(found)
        if options["json"]:
            body["kpi"] = kpi_json(found.kpi)
            self.stdout.write(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False))
            return
        self.stdout.write(f"{found.kpi.name} ({found.kpi.key}) {start}..{end}: {found.value}")
        self.stdout.write(
            f"previous {found.previous_start}..{found.previous_end}: {found.previous}"
        )
        for point in found.series:
            self.stdout.write(f"{point.start}\t{point.end}\t{point.value}")
        for _key, label, value in found.groups:
            self.stdout.write(f"{label}\t{value}")
        for code, month in found.missing_rates:
            self.stdout.write(f"no rate: {code} {month:%Y-%m}")

    @staticmethod
    def _workspace(wanted: str | None) -> Workspace:
        if not wanted:
            raise CommandError("say which workspace: --workspace SLUG")
        query = Q(slug=wanted) | (Q(pk=int(wanted)) if wanted.isdigit() else Q())
        workspace = Workspace.objects.filter(query).first()
        if workspace is None:
            raise CommandError(f"no workspace {wanted!r}")
        return workspace
