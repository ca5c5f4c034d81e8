"""What a new workspace starts with: each app registers the defaults it makes, and they are made
when the workspace is made, so that no screen or API read has to create them on first use.

``register("sales.default_pipeline", make_default_pipeline)`` from the app's ``AppConfig.ready``;
``vinculo.workspaces.services.create_workspace`` calls :func:`make_defaults` inside its
transaction, with the system actor of the new workspace. Each maker must be idempotent (it may
find its defaults already there) and must not depend on another app's defaults. Workspaces made
before an app's defaults existed get them from that app's data migration, which repeats the same
rows with the historical models (a migration cannot call today's services).

Reads never create a missing default: they show the workspace without it (tests/core/
test_reads_never_write.py walks every screen and API read and fails on any write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vinculo.core.actor import Actor

Maker = Callable[[Actor], Any]


@dataclass(frozen=True)
class WorkspaceDefault:
    name: str
    make: Maker


_REGISTRY: dict[str, WorkspaceDefault] = {}


def register(name: str, make: Maker) -> WorkspaceDefault:
    """Have ``make(actor)`` run for every new workspace; registering a name twice replaces it."""
    default = WorkspaceDefault(name, make)
    _REGISTRY[name] = default
    return default


def registered() -> list[WorkspaceDefault]:
    """The registered defaults, in the order the apps registered them."""
    return list(_REGISTRY.values())


def make_defaults(actor: Actor) -> None:
    """Make every registered default in ``actor``'s workspace (call inside a transaction)."""
    for default in _REGISTRY.values():
        default.make(actor)
