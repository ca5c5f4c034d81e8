"""Record pages: other apps' panels registered per page, their context merged in order."""

from __future__ import annotations

import pytest

from vinculo.core import record_pages


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(record_pages, "_PROVIDERS", {})


def test_the_apps_register_their_panels_of_the_contacts_pages():
    assert record_pages.registered("person") == ["deals", "tasks", "customer_value", "lead_score"]
    assert record_pages.registered("company") == ["deals"]


def test_context_is_merged_in_registration_order(empty_registry):
    seen = []

    def first(request, actor, record, live):
        seen.append("first")
        return {"a": record, "live": live}

    def second(request, actor, record, live):
        seen.append("second")
        return {"b": actor}

    record_pages.register("person", "first", first)
    record_pages.register("person", "second", second)
    context = record_pages.context_for("person", "request", "actor", 7, False)
    assert context == {"a": 7, "live": False, "b": "actor"}
    assert seen == ["first", "second"]
    assert record_pages.context_for("deal", "request", "actor", 7, True) == {}


def test_registering_a_key_again_replaces_it_in_place(empty_registry):
    record_pages.register("company", "one", lambda *args: {"x": 1})
    record_pages.register("company", "two", lambda *args: {"y": 2})
    record_pages.register("company", "one", lambda *args: {"x": 3})
    assert record_pages.registered("company") == ["one", "two"]
    assert record_pages.context_for("company", None, None, None, True) == {"x": 3, "y": 2}


def test_two_panels_giving_the_same_name_are_refused(empty_registry):
    record_pages.register("person", "one", lambda *args: {"tasks": []})
    record_pages.register("person", "two", lambda *args: {"tasks": [1]})
    with pytest.raises(ValueError, match="tasks"):
        record_pages.context_for("person", None, None, None, True)
