"""What else moves when two records are merged. The merge (quality) moves deals, activities and
the timeline itself; an app that keeps more rows about a person or a company, and sits beside
quality rather than below it (events: tracked behaviour and purchases), registers a mover from
its ``AppConfig.ready()``. The merge calls every mover in its transaction and keeps what each
moved (ids, JSON); undoing the merge calls each again with exactly that, the other way."""

from __future__ import annotations

from typing import Any, Protocol


class Mover(Protocol):
    def __call__(
        self, *, actor: Any, kind: str, from_id: int, to_id: int, ids: Any = None
    ) -> Any: ...


_MOVERS: dict[str, Mover] = {}


def register_mover(key: str, mover: Mover) -> None:
    """Declare what ``mover`` moves, under ``key`` in the merge's record of what moved."""
    _MOVERS[key] = mover


def movers() -> list[tuple[str, Mover]]:
    return sorted(_MOVERS.items())
