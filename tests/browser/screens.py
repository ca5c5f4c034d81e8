"""Every screen of the product, for the browser tests that must hold on all of them.

:func:`seed` (tests/one_of_everything.py) fills a persona's workspace with one of everything,
:func:`screen_paths` turns every named URL of the URL conf into a path with those real ids and
keeps the ones that answer a GET with a full HTML page, and :func:`walk` visits them in a browser,
collecting every failure into one readable list. The ``every_screen`` fixture
(tests/browser/conftest.py) does the first two for Ana::

    def test_something_on_every_screen(page, ana, every_screen):
        failures = walk(page, ana, every_screen, lambda page: [...problems on this page...])
        assert not failures, "\n".join(failures)

A URL whose parameter this module cannot fill is listed in ``broken`` (add the id to
:func:`seed`), so a new screen is covered the day it is added. Django's admin and the JSON API
are not screens; the API documentation is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import PASSWORD, Persona
from tests.one_of_everything import Seeded, seed

__all__ = ["Screens", "Seeded", "origin", "screen_paths", "seed", "walk"]

# Screens seen before logging in (the crawler visits them first).
PUBLIC = ["/login/"]
# Namespaces that are not product screens: Django's admin (its own look) and the JSON API.
NOT_SCREENS = ("admin:", "api:")
# ...except the API documentation, which is.
API_DOCS = "api:openapi-view"


def _named_urls(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _named_urls(item, inner)
        elif isinstance(item, URLPattern) and item.name:
            yield namespace + item.name, list(item.pattern.regex.groupindex)


@dataclass
class Screens:
    """The GET screens (paths) and, for the record, every other URL with its answer."""

    paths: list[str]
    others: dict[str, int]
    broken: list[str]


def screen_paths(persona: Persona, seeded: Seeded) -> Screens:
    """Every named URL of the URL conf, filled with ``seeded``'s ids, that answers a signed-in
    GET with a full HTML page; ``broken`` lists the ones answering 404 or 5xx (a screen the
    seed cannot open is a gap in the seed or a bug)."""
    client = Client()
    assert client.login(username=persona.user.email, password=PASSWORD)
    paths, others, broken = [], {}, []
    for name, params in _named_urls(get_resolver()):
        if name.startswith(NOT_SCREENS) and name != API_DOCS:
            continue
        try:
            path = reverse(name, kwargs=seeded.kwargs_for(name, params)) + seeded.queries.get(
                name, ""
            )
        except LookupError as missing:
            broken.append(str(missing))
            continue
        if path in PUBLIC:
            continue
        response = client.get(path)
        html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code == 200 and html and b"<html" in response.content[:600].lower():
            paths.append(path)
        elif response.status_code == 404 or response.status_code >= 500:
            broken.append(f"{path} ({name}): {response.status_code}")
        else:
            others[path] = response.status_code
    return Screens(paths=paths, others=others, broken=broken)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def watch_problems(page: Any) -> list[str]:
    """What went wrong on ``page`` from now on: console errors, uncaught exceptions and any
    request to another origin (``data:`` and ``blob:`` URLs aside), as a list the test reads."""
    problems: list[str] = []
    home = origin(page.base)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            problems.append(f"request to {r.url}")
            if not r.url.startswith(("data:", "blob:")) and origin(r.url) != home
            else None
        ),
    )
    return problems


Check = Callable[[Any], list[str]]


def walk(
    page: Any, persona: Persona, paths: list[str], check: Check, *, watch: bool = True
) -> list[str]:
    """Visit ``PUBLIC`` signed out, sign in as ``persona``, visit ``paths``; on every page fail
    on whatever ``check(page)`` returns and, with ``watch``, on a request to another origin, a
    console error or an uncaught exception. One line per failure, prefixed with the path."""
    home = origin(page.base)
    current = {"path": ""}
    failures: list[str] = []

    def on_request(request: Any) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")) or origin(url) == home:
            return
        failures.append(f"{current['path']}: request to another origin: {url}")

    def on_console(message: Any) -> None:
        if message.type == "error":
            failures.append(f"{current['path']}: console error: {message.text}")

    def on_error(error: Any) -> None:
        failures.append(f"{current['path']}: uncaught exception: {error}")

    if watch:
        page.on("request", on_request)
        page.on("console", on_console)
        page.on("pageerror", on_error)

    def visit(path: str) -> None:
        current["path"] = path
        response = page.goto(page.base + path, wait_until="load")
        if response is None or response.status >= 400:
            failures.append(f"{path}: HTTP {response.status if response else '?'}")
        # htmx fragments loaded on "load" (charts, counts) come before the checks; a page that
        # polls (an import's progress) never goes idle
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=3000)
        failures.extend(f"{path}: {problem}" for problem in check(page))

    for path in PUBLIC:
        visit(path)
    page.fill("input[name=username]", persona.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button.primary")
    page.wait_for_url(page.base + "/")
    for path in paths:
        visit(path)
    return failures
