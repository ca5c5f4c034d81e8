"""The OpenAPI document tells the truth: one schema per component name, each as its source
class defines it, and errors documented as the problem documents the server sends."""

from __future__ import annotations

import typing
from collections import defaultdict

from pydantic import BaseModel

from vinculo.api import api

PROBLEM = "application/problem+json"


def _models(annotation: typing.Any, found: set[type[BaseModel]]) -> None:
    """Every pydantic model reachable from ``annotation`` (fields, lists, unions…)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models(argument, found)


def _component_models() -> set[type[BaseModel]]:
    """The models that become components: request bodies and responses of every operation."""
    found: set[type[BaseModel]] = set()
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", "") == "body":
                        _models(model, found)
                for response in (operation.response_models or {}).values():
                    if response is not None:
                        _models(response, found)
    return found


def _schema(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_names_are_unique_and_match_their_class(ana):
    components = _schema(ana.client())["components"]["schemas"]
    classes: dict[str, set[str]] = defaultdict(set)
    for model in _component_models():
        classes[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: where for name, where in classes.items() if len(where) > 1}
    assert not shared, f"one component name for several classes: {shared}"
    for model in _component_models():
        name = model.__name__
        if "[" in name or name.startswith("NinjaResponseSchema") or name.endswith("BodyParams"):
            continue  # generic pages and ninja's wrappers are named by their arguments
        assert name in components, name
        properties = set(components[name].get("properties", {}))
        expected = {f.alias or n for n, f in model.model_fields.items()}
        assert properties == expected, name


def test_every_error_is_documented_as_a_problem_document(ana):
    schema = _schema(ana.client())
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len(operations) > 150
    for operation in operations:
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            content = response.get("content", {})
            assert list(content) == [PROBLEM], (operation["operationId"], status)
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    # …and served so.
    response = ana.client().get("/api/v1/people/999999")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_a_url_no_operation_answers_is_a_problem_document(ana, carla):
    for persona in (ana, carla):
        for url in ("/api/v1/nothing-here", "/api/v1/events/inbound/endpoints/-5", "/api/v2/"):
            response = persona.client().get(url)
            assert response.status_code in (404, 422), (url, response.status_code)
            assert response["Content-Type"] == PROBLEM, url
