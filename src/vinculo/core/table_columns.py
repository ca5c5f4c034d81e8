"""The columns and sorts a table view of people, companies or deals may use.

Shared by the saved-view services (which refuse unknown columns) and the tables of the web UI
(which render them). A column is a standard field (``email``) or a custom field of the workspace
named like in the filter language (``custom_fields.segment``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from vinculo.core.actor import Actor
from vinculo.core.filters import filter_object

CUSTOM_PREFIX = "custom_fields."
MAX_COLUMNS = 40


@dataclass(frozen=True)
class Column:
    """One column of a table: its key, its heading and, for custom fields, the JSON key and the
    field's type (``choice``, ``date``…)."""

    key: str
    label: Any
    json_key: str = ""
    field_type: str = ""
    choices: tuple[tuple[Any, Any], ...] = ()

    @property
    def custom(self) -> bool:
        return bool(self.json_key)


# The first column of each table (the record's name or title) is always shown.
FIXED: dict[str, str] = {"person": "name", "company": "name", "deal": "title"}

STANDARD: dict[str, tuple[Column, ...]] = {
    "person": (
        Column("name", _("Name")),
        Column("email", _("Email")),
        Column("phone", _("Phone")),
        Column("mobile_phone", _("Mobile phone")),
        Column("company", _("Company")),
        Column("job_title", _("Job title")),
        Column("lifecycle_stage", _("Stage")),
        Column("owner", _("Owner")),
        Column("tags", _("Tags")),
        Column("cpf", "CPF"),
        Column("city", _("City")),
        Column("state", _("State")),
        Column("source", _("Source")),
        Column("last_activity_at", _("Last activity")),
        Column("created_at", _("Created")),
        Column("updated_at", _("Updated")),
    ),
    "company": (
        Column("name", _("Name")),
        Column("cnpj", "CNPJ"),
        Column("industry", _("Industry")),
        Column("city", _("City")),
        Column("lifecycle_stage", _("Stage")),
        Column("owner", _("Owner")),
        Column("tags", _("Tags")),
        Column("domain", _("Domain")),
        Column("website", _("Website")),
        Column("email", _("Email")),
        Column("phone", _("Phone")),
        Column("employees", _("Employees")),
        Column("source", _("Source")),
        Column("last_activity_at", _("Last activity")),
        Column("created_at", _("Created")),
        Column("updated_at", _("Updated")),
    ),
    "deal": (
        Column("title", _("Title")),
        Column("stage", _("Stage")),
        Column("status", _("Status")),
        Column("amount", _("Amount")),
        Column("party", _("Person / company")),
        Column("owner", _("Owner")),
        Column("expected_close_date", _("Expected close")),
        Column("tags", _("Tags")),
        Column("source", _("Source")),
        Column("closed_at", _("Closed")),
        Column("created_at", _("Created")),
        Column("updated_at", _("Updated")),
    ),
}

DEFAULT: dict[str, tuple[str, ...]] = {
    "person": ("name", "email", "phone", "company", "lifecycle_stage", "tags"),
    "company": ("name", "cnpj", "industry", "city", "lifecycle_stage"),
    "deal": ("title", "stage", "status", "amount", "party", "owner", "expected_close_date"),
}

# Sort keys each table accepts (``-`` prefix for descending).
SORTS: dict[str, tuple[str, ...]] = {
    "person": ("created_at", "updated_at", "first_name", "last_name", "email"),
    "company": ("created_at", "updated_at", "name"),
    "deal": ("created_at", "updated_at", "amount", "expected_close_date", "title"),
}

OBJECT_TYPES = tuple(STANDARD)


def custom_columns(actor: Actor, object_type: str) -> list[Column]:
    """The workspace's live custom fields of ``object_type`` as columns (through the filter
    registry, so the kernel does not import the contacts app)."""
    try:
        obj = filter_object(object_type)
    except LookupError:
        return []
    if obj.custom_fields is None:
        return []
    return [
        Column(
            f.name,
            f.label or f.json_key,
            json_key=f.json_key,
            field_type=f.type,
            choices=tuple(f.choices) if isinstance(f.choices, list | tuple) else (),
        )
        for f in obj.custom_fields(actor)
        if not f.archived
    ]


def available_columns(actor: Actor, object_type: str) -> list[Column]:
    """Every column ``object_type``'s table may show: standard ones, then custom fields."""
    return [*STANDARD.get(object_type, ()), *custom_columns(actor, object_type)]


def parse_columns(raw: list[str] | str | None) -> list[str]:
    """Column keys from ``columns=a,b,c`` (or repeated ``columns=a&columns=b``), in order,
    without duplicates or blanks."""
    values = [raw] if isinstance(raw, str) else list(raw or [])
    keys: list[str] = []
    for value in values:
        for key in str(value).split(","):
            key = key.strip()
            if key and key not in keys:
                keys.append(key)
    return keys


def choose_columns(
    actor: Actor,
    object_type: str,
    keys: list[str] | None,
    available: list[Column] | None = None,
) -> tuple[list[Column], list[str]]:
    """The columns to show for ``keys`` (the defaults when ``None`` or empty) and the keys that
    are not allowed (``available`` defaults to :func:`available_columns`). The fixed first
    column is always first."""
    by_key = {c.key: c for c in available or available_columns(actor, object_type)}
    wanted = list(keys) if keys else list(DEFAULT[object_type])
    unknown = [k for k in wanted if k not in by_key]
    fixed = FIXED[object_type]
    chosen = [by_key[fixed]] + [by_key[k] for k in wanted if k in by_key and k != fixed]
    return chosen, unknown


def check_sort(object_type: str, sort: str) -> bool:
    """Whether ``sort`` is empty or an allowed sort of ``object_type``."""
    return not sort or sort.removeprefix("-") in SORTS.get(object_type, ())
