"""Entry rules as the write paths see them: the services of people, companies and deals hold one
:class:`Checker` per call (the contacts ``Context``, the sales ``DealRefs``) and ask it about each
row; the duplicate warning of the new-record forms asks which fields the rules make unique.

The quality app, which keeps the rules, registers both at ``AppConfig.ready()``::

    entry_rules.register_checker(checker)            # checker(actor, object_type) -> Checker
    entry_rules.register_unique_fields(unique_fields)

Without a registered checker every row passes (:class:`NoRules`) and no field is unique.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from vinculo.core.actor import Actor
from vinculo.core.bulk import RowError
from vinculo.core.errors import FieldError

T = TypeVar("T")

__all__ = [
    "Checker",
    "NoRules",
    "checker",
    "register_checker",
    "register_unique_fields",
    "unique_fields",
]


class Checker(Protocol):
    """The active rules of one object type of a workspace, for one write call."""

    def check(
        self,
        values: dict[str, Any],
        *,
        data: dict[str, Any],
        creating: bool,
        errors: list[FieldError],
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Append to ``errors`` the required and format violations of one cleaned row."""

    def check_unique(
        self,
        values: dict[str, Any],
        *,
        data: dict[str, Any] | None = None,
        exclude_pk: int | None = None,
    ) -> None:
        """Refuse (``ValidationFailed``) values of unique rules a live record already has."""

    def keep_unique(
        self,
        good: list[tuple[int, T]],
        refused: list[RowError],
        values_of: Callable[[T], dict[str, Any]],
    ) -> list[tuple[int, T]]:
        """The rows of a batch that break no unique rule; the others go to ``refused``."""


class NoRules:
    """The checker when no app keeps entry rules: every row passes."""

    def check(
        self,
        values: dict[str, Any],
        *,
        data: dict[str, Any],
        creating: bool,
        errors: list[FieldError],
        extra: dict[str, Any] | None = None,
    ) -> None:
        return None

    def check_unique(
        self,
        values: dict[str, Any],
        *,
        data: dict[str, Any] | None = None,
        exclude_pk: int | None = None,
    ) -> None:
        return None

    def keep_unique(
        self,
        good: list[tuple[int, T]],
        refused: list[RowError],
        values_of: Callable[[T], dict[str, Any]],
    ) -> list[tuple[int, T]]:
        return good


CheckerFactory = Callable[[Actor, str], Checker]
UniqueFields = Callable[[Actor, str], set[str]]

_CHECKER: list[CheckerFactory] = []
_UNIQUE_FIELDS: list[UniqueFields] = []


def register_checker(factory: CheckerFactory) -> None:
    """Have ``factory(actor, object_type)`` make the checker of each write call (registering
    again replaces it)."""
    _CHECKER[:] = [factory]


def register_unique_fields(fields_of: UniqueFields) -> None:
    """Have ``fields_of(actor, object_type)`` say which fields the rules make unique
    (registering again replaces it)."""
    _UNIQUE_FIELDS[:] = [fields_of]


def checker(actor: Actor, object_type: str) -> Checker:
    """The entry-rule checker for one write call on ``object_type`` (person, company, deal)."""
    return _CHECKER[0](actor, object_type) if _CHECKER else NoRules()


def unique_fields(actor: Actor, object_type: str) -> set[str]:
    """The fields of ``object_type`` the workspace's active entry rules make unique."""
    return _UNIQUE_FIELDS[0](actor, object_type) if _UNIQUE_FIELDS else set()
