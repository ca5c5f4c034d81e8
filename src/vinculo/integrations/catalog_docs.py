"""docs/event-types.md, written from the event type declarations (``vinculo manage eventtypes``).

A test compares the file with :func:`markdown`, so the page cannot drift from the declarations.
"""

from __future__ import annotations

import json
from typing import Any

from vinculo.core.event_types import EVENT_TYPES
from vinculo.integrations.catalog import subscribable_types

DOC_PATH = "docs/event-types.md"

_HEADER = """\
# Event types

<!-- Written by `vinculo manage eventtypes > docs/event-types.md` from the declarations in each
app's `events.py`; a test fails when this page and the declarations differ. -->

Every domain event Vínculo emits, grouped by the object it is about. Each one is declared once,
in its app's `events.py`, with a description, the schema of its payload and an example; this page,
the webhook screens and `GET /api/v1/webhooks/event-types` (fields `payload_schema`, a JSON schema,
and `example`, a whole body) are all read from there. A webhook receives the payload as
`data.payload` of the body described in [webhooks.md](webhooks.md#what-the-receiver-gets).

Payloads only grow: a receiver should ignore keys it does not know. Keys marked *no* under
*required* may be missing from a payload; a type ending in *or null* may be `null`.
"""


def markdown() -> str:
    """The whole page, one section per group of event types and one table per type."""
    parts = [_HEADER]
    groups: dict[str, list[str]] = {}
    for name in subscribable_types():
        groups.setdefault(name.split(".", 1)[0], []).append(name)
    for group, names in sorted(groups.items()):
        parts.append(f"## {group}\n")
        parts.extend(_section(name) for name in names)
    return "\n".join(parts)


def _section(name: str) -> str:
    declared = EVENT_TYPES[name]
    schema = declared.json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    lines = [f"### `{name}`\n", f"{declared.description}\n"]
    properties = schema.get("properties", {})
    if properties:
        lines += ["| key | type | required | meaning |", "|---|---|---|---|"]
        lines += [
            f"| `{key}` | {_type(prop, defs)} | {'yes' if key in required else 'no'} "
            f"| {_cell(_description(prop, defs))} |"
            for key, prop in properties.items()
        ]
        lines.append("")
    else:
        lines.append("The payload is an empty object.\n")
    example = json.dumps(dict(declared.example), ensure_ascii=False)
    if len(example) > 96:
        example = json.dumps(dict(declared.example), ensure_ascii=False, indent=2)
    lines += ["Example payload:\n", "```json", example, "```\n"]
    return "\n".join(lines)


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else schema


def _description(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "description" in schema:
        return str(schema["description"])
    return str(_resolve(schema, defs).get("description", ""))


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    """A short reading of a JSON schema: ``integer or null``, ``one of `a`, `b```…"""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        options = [_type(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        return " or ".join(options) + (" or null" if nullable else "")
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), defs)}"
    if kind == "object" and "properties" in schema:
        fields = ", ".join(f"`{k}` {_type(v, defs)}" for k, v in schema["properties"].items())
        return f"object ({fields})"
    if kind == "object":
        values = schema.get("additionalProperties")
        return f"object of {_type(values, defs)}" if isinstance(values, dict) else "object"
    if kind == "string" and schema.get("format") == "date-time":
        return "date-time text"
    if kind == "string" and "pattern" in schema:
        return "decimal text"
    return {"string": "text", None: "any"}.get(kind, str(kind))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
