"""What every API test does: send JSON, expect an RFC 9457 problem, read the fields it names."""

from __future__ import annotations

import json

from django.test import Client


def send(client: Client, method: str, url: str, data: object = None):
    """A JSON request; ``data`` None sends no body."""
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def problem(response, status: int) -> dict:
    """The problem document of ``response``, which must have ``status``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def fields_of(body: dict) -> set[str]:
    """The fields a problem document names."""
    return {e["field"] for e in body.get("errors") or []}
