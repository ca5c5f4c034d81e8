"""Which models carry custom fields: each app registers its record types at
``AppConfig.ready()`` (contacts: person and company; sales: deal), so code that walks the stored
values of a custom field definition finds the table without importing the app that owns it."""

from __future__ import annotations

from typing import Any

__all__ = ["model_of", "register", "registered"]

_REGISTRY: dict[str, Any] = {}


def register(object_type: str, model: Any) -> None:
    """Declare that records of ``object_type`` (a custom field definition's ``object_type``)
    are rows of ``model``, custom values in its ``custom_fields`` column (registering again
    replaces it)."""
    _REGISTRY[object_type] = model


def registered() -> dict[str, Any]:
    """``{object_type: model}`` in the order the apps registered them."""
    return dict(_REGISTRY)


def model_of(object_type: str) -> Any:
    """The model of ``object_type`` (``KeyError`` for a type no app registered)."""
    return _REGISTRY[object_type]
