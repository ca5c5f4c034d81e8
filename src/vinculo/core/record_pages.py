"""The panels other apps add to a record's page: context providers registered per page.

A record page belongs to the app that owns the record (``"person"`` and ``"company"``: the
contacts 360° pages; ``"deal"``: the sales deal page), but other apps show what they keep about
the record there: sales the person's or company's deals, activities the person's open tasks.
The owning app cannot import them (they sit above it), so each such app registers a provider
from its ``AppConfig.ready()``::

    from vinculo.core import record_pages

    record_pages.register("person", "tickets", open_tickets)

    def open_tickets(
        request: HttpRequest, actor: Actor, record: Any, live: bool
    ) -> dict[str, Any]:
        return {"tickets": list(selectors.open_tickets(actor, person_id=record.pk)[:20])}

``record`` is the person, company or deal the page shows; ``live`` is False when it is in the
bin (offer no "+ new" on a deleted record). A provider returns template context: the names its
panel's template reads. The page's view merges every provider's context with
:func:`context_for` and its template includes the panel's template (by name: a template name
is not an import), which renders nothing useful when its context is missing. Names are shared
by all panels of a page: a name two providers return is refused (``ValueError``).

Providers run on every render of the page: keep them to a few indexed queries, and do the
permission checks the panel needs (the page only proved ``records.view``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest

from vinculo.core.actor import Actor

__all__ = ["Provider", "context_for", "register", "registered"]

# provider(request, actor, record, live) -> the template context of one panel
Provider = Callable[[HttpRequest, Actor, Any, bool], Mapping[str, Any]]

_PROVIDERS: dict[str, dict[str, Provider]] = {}


def register(page: str, key: str, provider: Provider) -> None:
    """Have ``provider`` add its panel's context to ``page`` (``"person"``, ``"company"``,
    ``"deal"``…). ``key`` names the panel; registering a key again replaces its provider and
    keeps its place."""
    _PROVIDERS.setdefault(page, {})[key] = provider


def registered(page: str) -> list[str]:
    """The keys of the panels registered for ``page``, in registration order."""
    return list(_PROVIDERS.get(page, {}))


def context_for(
    page: str, request: HttpRequest, actor: Actor, record: Any, live: bool
) -> dict[str, Any]:
    """The context of every panel registered for ``page``, merged in registration order."""
    merged: dict[str, Any] = {}
    for key, provider in _PROVIDERS.get(page, {}).items():
        part = provider(request, actor, record, live)
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(
                f"record page {page!r}: panel {key!r} returns {sorted(clash)}, already given"
            )
        merged.update(part)
    return merged
