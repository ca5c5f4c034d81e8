"""The OpenAPI document as the server answers: error responses are RFC 9457 problem documents
served as ``application/problem+json`` (ninja documents every response as ``application/json``).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite, in place, every 4xx/5xx response whose body is a ``Problem`` to the problem
    media type; returns ``schema``."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content") or {}
                body = content.get("application/json")
                if not str(status).startswith(("4", "5")) or body is None:
                    continue
                if body.get("schema", {}).get("$ref") == PROBLEM_REF:
                    response["content"] = {PROBLEM_MEDIA_TYPE: body}
    return schema


class ProblemAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document gives errors their problem media type."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema
