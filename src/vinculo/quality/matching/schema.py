"""What the matcher compares: the fields of a record type, each with a kind, read into columns.

A :class:`Schema` lists the fields of people or companies (standard ones and the custom fields an
owner marked as identifiers). :class:`Table` holds N records column by column: each field's
normalised values (an object array) and integer codes (equal values, equal codes; ``-1`` where
the record has no value), which is what blocking and comparison work on.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from vinculo.quality.matching import normalise as norm


class Kind(StrEnum):
    """How two values of a field are compared; each kind has its agreement levels."""

    NAME = "name"
    PLACE = "place"
    IDENTIFIER = "identifier"
    EMAIL = "email"
    PHONES = "phones"
    DATE = "date"
    POSTAL = "postal"
    NUMBER = "number"
    CATEGORY = "category"


# The agreement levels of each kind, from disagreement (0) to the strongest agreement. A pair
# where either record lacks the value has no level (-1) and weighs nothing.
LEVELS: dict[Kind, tuple[str, ...]] = {
    Kind.NAME: ("different", "similar", "very_similar", "same"),
    Kind.PLACE: ("different", "similar", "very_similar", "same"),
    Kind.IDENTIFIER: ("different", "one_typo", "same"),
    Kind.EMAIL: ("different", "same_mailbox_name", "same"),
    Kind.PHONES: ("different", "one_typo", "same"),
    Kind.DATE: ("different", "close", "transposed", "same"),
    Kind.POSTAL: ("different", "same_area", "one_typo", "same"),
    Kind.NUMBER: ("different", "close", "same"),
    Kind.CATEGORY: ("different", "same"),
}


@dataclass(frozen=True)
class Field:
    """One comparable field: ``key`` (``first_name``, ``custom:rg``…), its kind, whether common
    values weigh less (term frequency), and how a row's raw value(s) are read."""

    key: str
    kind: Kind
    read: Callable[[dict[str, Any]], Any]
    tf: bool = False

    @property
    def levels(self) -> tuple[str, ...]:
        return LEVELS[self.kind]


@dataclass(frozen=True)
class _Get:
    """Read one raw column and clean it (``custom``: a key of the row's custom fields)."""

    name: str
    clean: Callable[[Any], Any]
    custom: bool = False

    def raw(self, row: dict[str, Any]) -> Any:
        if self.custom:
            return (row.get("custom_fields") or {}).get(self.name)
        return row.get(self.name)

    def __call__(self, row: dict[str, Any]) -> Any:
        return self.clean(self.raw(row))


def _get(name: str, clean: Callable[[Any], Any]) -> _Get:
    return _Get(name, clean)


def _custom(key: str, clean: Callable[[Any], Any]) -> _Get:
    return _Get(key, clean, custom=True)


MEMO = 1 << 17  # distinct raw values of a column whose cleaning a table build remembers


def _remembering(read: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
    """``read`` cleaning each distinct raw value once (names, cities and states repeat), for
    up to :data:`MEMO` values; values that cannot be remembered are cleaned each time."""
    if not isinstance(read, _Get):
        return read
    memo: dict[Any, Any] = {}
    raw_of, clean = read.raw, read.clean

    def cached(row: dict[str, Any]) -> Any:
        raw = raw_of(row)
        try:
            return memo[raw]
        except KeyError:
            value = clean(raw)
            if len(memo) < MEMO:
                memo[raw] = value
            return value
        except TypeError:  # a list or dict from JSON
            return clean(raw)

    return cached


def _email(row: dict[str, Any]) -> tuple[str, str]:
    return norm.email(row.get("email"))


def _phones(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[str, ...]]:
    def read(row: dict[str, Any]) -> tuple[str, ...]:
        found = {norm.phone(row.get(name)) for name in names} - {""}
        return tuple(sorted(found))

    return read


def _domain(value: Any) -> str:
    return str(value or "").strip().lower().removeprefix("www.")


_ADDRESS = (
    Field("street", Kind.PLACE, _get("street", norm.place_text)),
    Field("number", Kind.NUMBER, _get("number", norm.number)),
    Field("complement", Kind.PLACE, _get("complement", norm.place_text)),
    Field("district", Kind.PLACE, _get("district", norm.place_text), tf=True),
    Field("city", Kind.PLACE, _get("city", norm.place_text), tf=True),
    Field("state", Kind.CATEGORY, _get("state", norm.plain)),
    Field("postal_code", Kind.POSTAL, _get("postal_code", norm.identifier)),
)

PERSON_FIELDS = (
    Field("first_name", Kind.NAME, _get("first_name", norm.name_text), tf=True),
    Field("last_name", Kind.NAME, _get("last_name", norm.name_text), tf=True),
    Field("birth_date", Kind.DATE, _get("birth_date", norm.day)),
    Field("cpf", Kind.IDENTIFIER, _get("cpf", norm.identifier)),
    Field("email", Kind.EMAIL, _email),
    Field("phones", Kind.PHONES, _phones(("phone", "mobile_phone"))),
    *_ADDRESS,
)
COMPANY_FIELDS = (
    Field("name", Kind.NAME, _get("name", norm.company_text), tf=True),
    Field("legal_name", Kind.NAME, _get("legal_name", norm.company_text)),
    Field("cnpj", Kind.IDENTIFIER, _get("cnpj", norm.identifier)),
    Field("email", Kind.EMAIL, _email),
    Field("domain", Kind.IDENTIFIER, _get("domain", _domain)),
    Field("phones", Kind.PHONES, _phones(("phone",))),
    *_ADDRESS,
)
# The raw columns each record type needs (what the selectors read from the database).
PERSON_COLUMNS = (
    "id", "first_name", "last_name", "birth_date", "cpf", "email", "phone", "mobile_phone",
    "street", "number", "complement", "district", "city", "state", "postal_code", "custom_fields",
)  # fmt: skip
COMPANY_COLUMNS = (
    "id", "name", "legal_name", "cnpj", "email", "domain", "phone",
    "street", "number", "complement", "district", "city", "state", "postal_code", "custom_fields",
)  # fmt: skip

# A custom field's type → how it is compared when an owner marks it as an identifier.
_CUSTOM_KINDS: dict[str, tuple[Kind, Callable[[Any], Any]]] = {
    "date": (Kind.DATE, norm.day),
    "number": (Kind.NUMBER, norm.number),
    "money": (Kind.NUMBER, norm.number),
    "email": (Kind.EMAIL, norm.email),
    "phone": (Kind.IDENTIFIER, norm.phone),
}


def custom_field(key: str, field_type: str) -> Field:
    """The comparison of a custom field an owner marked as an identifier (an ID card number, a
    student or patient number…): text-like types compare as identifiers."""
    kind, clean = _CUSTOM_KINDS.get(field_type, (Kind.IDENTIFIER, norm.identifier))
    return Field(f"custom:{key}", kind, _custom(key, clean))


@dataclass(frozen=True)
class Schema:
    """The fields of one record type; ``swap`` names two name fields that people swap."""

    object_type: str
    fields: tuple[Field, ...]
    swap: tuple[str, str] | None = None

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    @property
    def signature(self) -> list[str]:
        """What a fitted model was fitted on (a stored model is only reused on the same)."""
        return [f"{f.key}:{f.kind}" for f in self.fields]


def person_schema(custom: Iterable[tuple[str, str]] = ()) -> Schema:
    """People: the standard fields and ``custom`` identifier fields as ``(key, field_type)``."""
    extra = tuple(custom_field(k, t) for k, t in custom)
    return Schema("person", PERSON_FIELDS + extra, swap=("first_name", "last_name"))


def company_schema(custom: Iterable[tuple[str, str]] = ()) -> Schema:
    """Companies: the standard fields and ``custom`` identifier fields."""
    extra = tuple(custom_field(k, t) for k, t in custom)
    return Schema("company", COMPANY_FIELDS + extra)


@dataclass
class Table:
    """N records column by column. ``values[key]``: normalised values (object array, ``None``
    where missing; for emails the address, for phones the first number); ``codes[key]``: int32
    codes, ``-1`` where missing. ``extra`` holds the second code column of a field (an email's
    mailbox name, a second phone). ``active``: records blocking may pair (others, such as merged
    records kept for their labels, are only compared)."""

    schema: Schema
    ids: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    active: np.ndarray | None = None
    distinct: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def by_code(self, key: str) -> np.ndarray:
        """The value behind each code of ``key`` (object array indexed by code), so that work
        per distinct value is done once, not once per record or pair."""
        found = self.distinct.get(key)
        if found is None:
            codes = self.codes[key]
            size = int(codes.max()) + 1 if len(codes) else 0
            first_of = np.zeros(size, dtype=np.int64)
            order = np.flatnonzero(codes >= 0)[::-1]
            first_of[codes[order]] = order
            found = self.values[key][first_of] if size else np.empty(0, dtype=object)
            self.distinct[key] = found
        return found

    def fill_rate(self, key: str) -> float:
        return float((self.codes[key] >= 0).mean()) if len(self) else 0.0


class _Column:
    """Codes of one column as rows stream in (equal values, equal codes; ``-1`` for empty),
    sharing ``vocabulary`` with another column when given (a phone in one column equals the
    same phone in the other). Each distinct value is kept once."""

    def __init__(self, vocabulary: dict[Any, int] | None = None) -> None:
        self.vocab: dict[Any, int] = {} if vocabulary is None else vocabulary
        self.codes = array("i")

    def add(self, value: Any) -> None:
        self.codes.append(self.vocab.setdefault(value, len(self.vocab)) if value else -1)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(values per record, codes)``: the values are the distinct ones, shared."""
        distinct = np.empty(len(self.vocab) + 1, dtype=object)
        distinct[: len(self.vocab)] = list(self.vocab)
        distinct[-1] = None  # code -1
        codes = np.frombuffer(self.codes, dtype=np.int32).copy()
        return distinct[codes], codes


def build_table(
    schema: Schema, rows: Iterable[dict[str, Any]], *, active: Iterable[bool] | None = None
) -> Table:
    """Read ``rows`` (dicts of raw columns, ``id`` included) into a :class:`Table`, a row at a
    time: only codes and each distinct value are kept (a million records fit in little)."""
    ids = array("q")
    main: dict[str, _Column] = {}
    extra: dict[str, _Column] = {}
    for f in schema.fields:
        main[f.key] = _Column()
        if f.kind == Kind.EMAIL:
            extra[f.key] = _Column()
        elif f.kind == Kind.PHONES:
            extra[f.key] = _Column(main[f.key].vocab)
    readers = [(f.key, f.kind, _remembering(f.read)) for f in schema.fields]
    for row in rows:
        ids.append(row["id"])
        for key, kind, read in readers:
            value = read(row)
            if kind == Kind.EMAIL:
                address, local = value if isinstance(value, tuple) else ("", "")
                main[key].add(address)
                usable = len(local) >= 5 and local not in norm.GENERIC_LOCAL
                extra[key].add(local if usable else "")
            elif kind == Kind.PHONES:
                main[key].add(value[0] if value else "")
                extra[key].add(value[1] if len(value) > 1 else "")
            else:
                main[key].add(value)
    table = Table(schema, np.frombuffer(ids, dtype=np.int64).copy())
    for key, column in main.items():
        table.values[key], table.codes[key] = column.arrays()
    for key, column in extra.items():
        table.extra[key] = column.arrays()[1]
    if active is not None:
        table.active = np.fromiter(active, dtype=bool, count=len(ids))
    return table
