"""The words of the filter language: group keys, limits, field types and the operators each
type has, and the error a bad tree raises."""

from __future__ import annotations

from vinculo.core.errors import ServiceError

# "all"/"any" (the names ARCHITECTURE.md uses) are accepted as aliases of "and"/"or".
GROUP_KEYS = {"and": "and", "all": "and", "or": "or", "any": "or", "not": "not"}
MAX_DEPTH = 8
MAX_CONDITIONS = 100
MAX_LIST_VALUES = 500
MAX_DAYS = 36500
MAX_FILTER_CHARS = 50_000
ROOT = "filter"
CUSTOM_PREFIX = "custom_fields."


class BadFilter(ServiceError):
    """A filter that cannot be compiled; ``errors`` names each bad node by its path."""

    status = 400
    title = "Invalid filter"
    type_slug = "invalid-filter"


# --- types and operators ----------------------------------------------------------------------

TEXT_TYPES = frozenset({"text", "long_text", "email", "phone", "url"})
NUMBER_TYPES = frozenset({"number", "money", "decimal"})
DATE_TYPES = frozenset({"date", "datetime"})

_TEXT_OPS = (
    "eq",
    "neq",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "in",
    "not_in",
    "is_empty",
    "is_not_empty",
)
_NUMBER_OPS = ("eq", "neq", "gt", "gte", "lt", "lte", "between", "is_empty", "is_not_empty")
_DATE_OPS = (
    "eq",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "between",
    "in_last_days",
    "in_next_days",
    "more_than_days_ago",
    "is_empty",
    "is_not_empty",
)
_CHOICE_OPS = ("eq", "neq", "in", "not_in", "is_empty", "is_not_empty")
_SET_OPS = ("has_any", "has_all", "has_none", "is_empty", "is_not_empty")

OPERATORS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(TEXT_TYPES, _TEXT_OPS),
    **dict.fromkeys(NUMBER_TYPES, _NUMBER_OPS),
    **dict.fromkeys(DATE_TYPES, _DATE_OPS),
    "boolean": ("is_true", "is_false", "is_empty"),
    "choice": _CHOICE_OPS,
    "multi_choice": _SET_OPS,
    "tags": _SET_OPS,
    # a member of the workspace: a user id, or "me" (the acting user)
    "user": _CHOICE_OPS,
    # a linked record (a person's companies): its id or its name
    "record": _CHOICE_OPS,
    "relation": ("exists", "not_exists", "count_gte", "count_lte"),
}

UNARY_OPS = frozenset({"is_empty", "is_not_empty", "is_true", "is_false"})
NEGATIONS = {
    "neq": "eq",
    "not_contains": "contains",
    "not_in": "in",
    "has_none": "has_any",
    "is_not_empty": "is_empty",
}
