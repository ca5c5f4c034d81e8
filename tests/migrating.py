"""Moving apps back and forth between migrations, for the tests of data migrations (they run
with ``transaction=True`` and the ``latest_afterwards`` fixture of tests/conftest.py)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str | None]]) -> Any:
    """Move the apps of ``targets`` there (``(app, None)``: every migration of the app
    unapplied), every other app at its latest migration, and return the historical apps of
    that state (a newer NOT NULL column of another app is in its models too)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    moved = {app for app, _ in targets}
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] not in moved]
    executor.migrate(targets + others)
    there = [node for node in targets + others if node[1] is not None]
    return executor.loader.project_state(there).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
