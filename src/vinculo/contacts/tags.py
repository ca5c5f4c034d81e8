"""Tags by name: two spellings are the same tag when they fold alike (core.text.fold), on every
database. The key is stored in ``Tag.name_key`` and compared in Python-computed form, never with
SQL ``LOWER()``."""

from __future__ import annotations

from collections.abc import Iterable

from vinculo.contacts.models import Tag
from vinculo.core.actor import Actor
from vinculo.core.tenancy import Workspace
from vinculo.core.text import fold

__all__ = ["ensure_tags", "fold", "tag_name_taken", "unique_names"]


def unique_names(names: Iterable[str]) -> list[str]:
    """``names`` without repeats by folded key, in order, each under its first spelling."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(fold(name), name)
    return list(first.values())


def ensure_tags(actor: Actor, names: Iterable[str]) -> dict[str, Tag]:
    """The workspace's tags named ``names`` (case-insensitive), the missing ones created, keyed
    by ``fold(name)``: how people, companies and deals get their tags. A new tag takes the first
    spelling in ``names``."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(fold(name), name)
    if not wanted:
        return {}
    tags = Tag.objects.for_workspace(actor.workspace)
    found = {t.name_key: t for t in tags.filter(name_key__in=list(wanted))}
    missing = [(key, name) for key, name in wanted.items() if key not in found]
    if missing:
        Tag.objects.bulk_create(
            [
                Tag(workspace=actor.workspace, created_by=actor.user, name=name, name_key=key)
                for key, name in missing
            ],
            ignore_conflicts=True,
        )
        found = {t.name_key: t for t in tags.filter(name_key__in=list(wanted))}
    return found


def tag_name_taken(workspace: Workspace, name: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another tag of ``workspace`` already folds to the same key as ``name``."""
    return (
        Tag.objects.for_workspace(workspace)
        .filter(name_key=fold(name))
        .exclude(pk=exclude_pk)
        .exists()
    )
