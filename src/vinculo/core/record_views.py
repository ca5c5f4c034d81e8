"""What happens when someone looks at a record: apps register hooks per object type at
``AppConfig.ready()`` (privacy keeps its opt-in access log of people this way), and the record's
page and API detail call :func:`viewed` once the read succeeded.

The deliberate exception to "reads never write": a hook may write (the access log does, only
while the workspace turned it on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from vinculo.core.actor import Actor

__all__ = ["Hook", "Via", "register", "viewed"]

Via = Literal["page", "api"]  # the record's page, or its API detail
Hook = Callable[[Actor, int, Via], object]

_HOOKS: dict[str, dict[str, Hook]] = {}


def register(object_type: str, name: str, hook: Hook) -> None:
    """Have ``hook(actor, record_id, via)`` run when a record of ``object_type`` is viewed
    (``name`` identifies the hook: registering a name again replaces it)."""
    _HOOKS.setdefault(object_type, {})[name] = hook


def viewed(actor: Actor, object_type: str, record_id: int, *, via: Via) -> None:
    """``actor`` viewed the record ``record_id`` of ``object_type`` (call after the read
    succeeded, so a refused or unknown id leaves no trace)."""
    for hook in _HOOKS.get(object_type, {}).values():
        hook(actor, record_id, via)
