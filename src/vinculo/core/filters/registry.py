"""The registry of what filters may test: each app describes the fields and relations of its
objects in its ``filters.py`` module with :func:`register_object`; :func:`autodiscover` imports
those modules lazily (as :mod:`vinculo.core.events` does with consumers), so the kernel never
imports the apps at import time."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.db.models import Model

from vinculo.core.actor import Actor
from vinculo.core.filters.language import OPERATORS

Choices = Sequence[tuple[Any, Any]]


@dataclass(frozen=True)
class FilterField:
    """A field a filter may test.

    ``column`` is the ORM path (defaults to ``name``). A custom field has ``json_key``: its value
    lives under that key of the JSON ``column``. ``choices`` is a list of ``(value, label)`` or a
    function of the actor returning one (stages, lifecycle, users); for a model field with
    ``choices`` it defaults to those. A ``record`` field is a many-to-many ``column`` matched by id
    or by the related record's ``name_column``.
    """

    name: str
    type: str
    label: Any = ""
    column: str = ""
    choices: Choices | Callable[[Actor], Choices] | None = None
    json_key: str = ""
    name_column: str = "name"
    archived: bool = False

    @property
    def path(self) -> str:
        return self.column or self.name

    @property
    def is_custom(self) -> bool:
        return bool(self.json_key)


@dataclass(frozen=True)
class FilterRelation:
    """Related records tested with a nested tree of ``object_type``: rows of that type where
    ``<link> = <outer row's outer>`` (``Deal.person = Person.pk``; ``Person.pk = Deal.person_id``).
    """

    name: str
    object_type: str
    link: str
    outer: str = "pk"
    label: Any = ""


@dataclass(frozen=True)
class FilterObject:
    """What a filter over ``object_type`` may use: standard fields, relations and (through
    ``custom_fields``, a function of the actor) the workspace's custom fields."""

    object_type: str
    model: type[Model]
    fields: tuple[FilterField, ...]
    relations: tuple[FilterRelation, ...] = ()
    custom_fields: Callable[[Actor], Iterable[FilterField]] | None = None
    label: Any = ""

    def field(self, name: str) -> FilterField | None:
        return next((f for f in self.fields if f.name == name), None)

    def relation(self, name: str) -> FilterRelation | None:
        return next((r for r in self.relations if r.name == name), None)


OBJECTS: dict[str, FilterObject] = {}
EXTENSIONS: dict[str, dict[str, FilterField]] = {}
_discovered = False


def _check(object_type: str, fields: Iterable[FilterField]) -> None:
    for f in fields:
        if f.type not in OPERATORS or f.type == "relation":
            raise ValueError(f"filter field {object_type}.{f.name}: unknown type {f.type!r}")


def register_object(obj: FilterObject) -> FilterObject:
    """Declare (or replace) the filterable fields of ``obj.object_type``."""
    _check(obj.object_type, obj.fields)
    OBJECTS[obj.object_type] = obj
    return obj


def extend_object(object_type: str, *fields: FilterField) -> None:
    """Add fields another app keeps about ``object_type``'s rows (a person's RFM segment, kept by
    events) without the owning app knowing them: each ``column`` is an ORM path from the
    object's model (``customer_value__segment``). A field of the object's own by that name wins."""
    _check(object_type, fields)
    EXTENSIONS.setdefault(object_type, {}).update({f.name: f for f in fields})


def autodiscover() -> None:
    """Import ``<app>.filters`` of every Vínculo app (once)."""
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        if not config.name.startswith("vinculo."):
            continue
        try:
            importlib.import_module(f"{config.name}.filters")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.filters":
                raise
    _discovered = True


def filter_object(object_type: str) -> FilterObject:
    """The registered :class:`FilterObject` of ``object_type`` (``LookupError`` if none)."""
    autodiscover()
    try:
        obj = OBJECTS[object_type]
    except KeyError:
        raise LookupError(f"no filter object {object_type!r}") from None
    own = {f.name for f in obj.fields}
    extra = tuple(f for name, f in EXTENSIONS.get(object_type, {}).items() if name not in own)
    return replace(obj, fields=obj.fields + extra) if extra else obj


def object_types() -> list[str]:
    autodiscover()
    return sorted(OBJECTS)
