"""Records probably the same customer as what a form has typed: the new-person and new-company
forms warn with them before saving (``vinculo.contacts.duplicate_check``).

The quality app, which keeps the duplicate matcher, registers its finder at
``AppConfig.ready()``: ``register(finder)``. Without one, nothing is probably the same.
"""

from __future__ import annotations

from typing import Any, Protocol

from vinculo.core.actor import Actor

__all__ = ["Finder", "probable", "register"]


class Finder(Protocol):
    def __call__(
        self,
        actor: Actor,
        object_type: str,
        values: dict[str, Any],
        *,
        exclude_id: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]: ...


_FINDER: list[Finder] = []


def register(finder: Finder) -> None:
    """Have ``finder`` answer :func:`probable` (registering again replaces it)."""
    _FINDER[:] = [finder]


def probable(
    actor: Actor,
    object_type: str,
    values: dict[str, Any],
    *,
    exclude_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Live records of ``object_type`` probably the same customer as the typed ``values`` (the
    form's fields; ``custom_fields`` as typed, a value that does not validate matching nothing),
    the ``limit`` most probable first, each ``{"id", "record", "name", "probability",
    "reasons"}`` (each reason with its ``text``). ``exclude_id``: the record being edited."""
    if not _FINDER:
        return []
    return _FINDER[0](actor, object_type, values, exclude_id=exclude_id, limit=limit)
