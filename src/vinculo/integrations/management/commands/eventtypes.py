from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vinculo.integrations.catalog_docs import markdown


class Command(BaseCommand):
    help = "Print docs/event-types.md: every event type with its payload schema and example."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(markdown(), ending="")
