"""The filter language: a JSON condition tree compiled to an ORM ``Q``.

One language for saved list views, segments, workflow conditions and goal metrics
(docs/filters.md). A tree is made of groups and conditions::

    {"and": [{"field": "email", "op": "ends_with", "value": "@aurora.com.br"},
             {"field": "deals", "op": "exists",
              "value": {"field": "status", "op": "eq", "value": "open"}}]}

Each app describes the fields of its objects in its ``filters.py`` module with
:func:`register_object`; this package imports those lazily (as :mod:`vinculo.core.events` does
with consumers), so the kernel never imports the apps at import time.

Compilation is strict: an unknown field, an operator the field's type does not have or a value of
the wrong kind is a :class:`BadFilter` (400) naming the bad node's path (``filter.and.1.op``), never
a silently empty result. Every condition compiles to a two-valued predicate (an empty value makes a
condition false, not NULL), so ``{"not": …}`` is always the exact complement of its node. Related
records are tested with ``EXISTS`` sub-queries, so a filter never duplicates rows.

The modules, each importing only those above it:

- ``language``: group keys, limits, field types and their operators, :class:`BadFilter`;
- ``registry``: :class:`FilterField`, :class:`FilterRelation`, :class:`FilterObject`, the apps'
  registrations and their discovery;
- ``sql``: portable SQL pieces (:class:`Fold`, :class:`JSONText`, :class:`JSONListHas`, counts);
- ``values``: parsers of condition values;
- ``context``: the state of one compilation (time zone, errors, custom fields, choices);
- ``conditions``: one operator on one field compiled to a ``Q``;
- ``compiler``: groups, conditions and relations; :func:`compile_filter`,
  :func:`validate_filter`, :func:`apply_filter`, :func:`parse_filter_param`;
- ``describe``: the fields a filter editor offers.
"""

from vinculo.core.filters.compiler import (
    apply_filter,
    compile_filter,
    parse_filter_param,
    validate_filter,
)
from vinculo.core.filters.describe import describe
from vinculo.core.filters.language import (
    CUSTOM_PREFIX,
    DATE_TYPES,
    GROUP_KEYS,
    MAX_CONDITIONS,
    MAX_DAYS,
    MAX_DEPTH,
    MAX_FILTER_CHARS,
    MAX_LIST_VALUES,
    NUMBER_TYPES,
    OPERATORS,
    ROOT,
    TEXT_TYPES,
    BadFilter,
)
from vinculo.core.filters.registry import (
    OBJECTS,
    Choices,
    FilterField,
    FilterObject,
    FilterRelation,
    autodiscover,
    extend_object,
    filter_object,
    object_types,
    register_object,
)
from vinculo.core.filters.sql import Fold, JSONListHas, JSONText

__all__ = [
    "CUSTOM_PREFIX",
    "DATE_TYPES",
    "GROUP_KEYS",
    "MAX_CONDITIONS",
    "MAX_DAYS",
    "MAX_DEPTH",
    "MAX_FILTER_CHARS",
    "MAX_LIST_VALUES",
    "NUMBER_TYPES",
    "OBJECTS",
    "OPERATORS",
    "ROOT",
    "TEXT_TYPES",
    "BadFilter",
    "Choices",
    "FilterField",
    "FilterObject",
    "FilterRelation",
    "Fold",
    "JSONListHas",
    "JSONText",
    "apply_filter",
    "autodiscover",
    "compile_filter",
    "describe",
    "extend_object",
    "filter_object",
    "object_types",
    "parse_filter_param",
    "register_object",
    "validate_filter",
]
