"""Comparison levels of record pairs, a field at a time, vectorised over arrays of pairs.

``levels(table, field, I, J)`` gives, for the pairs ``(I[k], J[k])``, an int8 level: ``-1``
when either record lacks the value, ``0`` for disagreement, up to the kind's strongest
agreement (see :data:`vinculo.quality.matching.schema.LEVELS`). Similarities are computed once
per distinct pair of values (rapidfuzz's ``cpdist``, in C++), then spread back to the pairs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from vinculo.quality.matching.schema import Field, Kind, Schema, Table

Scorer = Callable[..., float]


def _distinct(ci: np.ndarray, cj: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (code, code) pairs among ``ci, cj`` (order kept as given), and for each
    input pair the index of its distinct pair."""
    key = ci.astype(np.int64) << 32 | cj.astype(np.int64)
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    del unique
    return ci[first], cj[first], inverse


def _pairwise(table: Table, key: str, ci: np.ndarray, cj: np.ndarray, scorer: Scorer) -> np.ndarray:
    """``scorer`` over the values behind codes ``ci`` and ``cj`` (each distinct pair once)."""
    if not len(ci):
        return np.zeros(0)
    values = table.values[key]
    codes = table.codes[key]
    # A code's value: the first record having it.
    first_of = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    order = np.flatnonzero(codes >= 0)[::-1]
    first_of[codes[order]] = order
    ui, uj, inverse = _distinct(ci, cj)
    a = values[first_of[ui]].tolist()
    b = values[first_of[uj]].tolist()
    scores = process.cpdist(a, b, scorer=scorer, workers=1)
    return np.asarray(scores)[inverse]


def _jaro(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    return _pairwise(table, key, ci, cj, JaroWinkler.normalized_similarity)


def _typos(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Edit distance counting a swap of two neighbouring characters as one edit."""
    return _pairwise(table, key, ci, cj, OSA.distance)


def _transposed(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Dates ``YYYYMMDD`` whose day and month are swapped."""

    def swapped(a: str, b: str, **_kw: object) -> float:
        return float(a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6])

    return _pairwise(table, key, ci, cj, swapped)


def _numeric_gap(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    def gap(a: str, b: str, **_kw: object) -> float:
        return abs(int(a) - int(b)) if a.isdigit() and b.isdigit() else 1e9

    return _pairwise(table, key, ci, cj, gap)


def _prefix_alike(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Postal codes in the same area: the same leading digits (a CEP's first five, the region of
    a shorter code)."""

    def alike(a: str, b: str, **_kw: object) -> float:
        size = max(2, min(5, len(a) - 3))
        return float(len(a) == len(b) and a[:size] == b[:size])

    return _pairwise(table, key, ci, cj, alike)


def levels(table: Table, field: Field, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The agreement level of each pair ``(left[k], right[k])`` on ``field``."""
    key = field.key
    codes = table.codes[key]
    ci, cj = codes[left], codes[right]
    out = np.full(len(left), -1, dtype=np.int8)
    if field.kind == Kind.PHONES:
        return _phone_levels(table, key, left, right, out)
    present = (ci >= 0) & (cj >= 0)
    exact = present & (ci == cj)
    out[present] = 0
    top = len(field.levels) - 1
    out[exact] = top
    rest = np.flatnonzero(present & ~exact)
    if not len(rest) or field.kind == Kind.CATEGORY:
        return out
    a, b = ci[rest], cj[rest]
    level = np.zeros(len(rest), dtype=np.int8)
    kind = field.kind
    if kind in (Kind.NAME, Kind.PLACE):
        similarity = _jaro(table, key, a, b)
        level[similarity >= 0.80] = 1
        level[similarity >= 0.92] = 2
    elif kind == Kind.IDENTIFIER:
        level[_typos(table, key, a, b) <= 1] = 1
    elif kind == Kind.EMAIL:
        extra = table.extra[key]
        mailbox = (extra[left[rest]] >= 0) & (extra[left[rest]] == extra[right[rest]])
        level[mailbox | (_typos(table, key, a, b) <= 1)] = 1
    elif kind == Kind.DATE:
        distance = _typos(table, key, a, b)
        level[distance <= 2] = 1
        level[(distance <= 1) | (_transposed(table, key, a, b) > 0)] = 2
    elif kind == Kind.POSTAL:
        level[_prefix_alike(table, key, a, b) > 0] = 1
        level[_typos(table, key, a, b) <= 1] = 2
    elif kind == Kind.NUMBER:
        level[(_numeric_gap(table, key, a, b) <= 2) | (_typos(table, key, a, b) <= 1)] = 1
    out[rest] = level
    return out


def _phone_levels(
    table: Table, key: str, left: np.ndarray, right: np.ndarray, out: np.ndarray
) -> np.ndarray:
    """Phones: the same line when any number of one record is a number of the other; one typo
    apart on the first numbers."""
    first, second = table.codes[key], table.extra[key]
    a1, a2, b1, b2 = first[left], second[left], first[right], second[right]
    present = (a1 >= 0) & (b1 >= 0)
    out[present] = 0
    shared = present & (
        (a1 == b1) | ((a1 == b2) & (b2 >= 0)) | ((a2 == b1) & (a2 >= 0)) | ((a2 == b2) & (a2 >= 0))
    )
    rest = np.flatnonzero(present & ~shared)
    if len(rest):
        close = _typos(table, key, a1[rest], b1[rest]) <= 1
        out[rest[close]] = 1
    out[shared] = 2
    return out


def swap_names(
    table: Table, pair: tuple[str, str], left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Which pairs wrote the two name fields the other way round (first name in the last-name
    field): the crossed comparison is clearly closer than the straight one."""
    first, last = pair
    cf, cl = table.codes[first], table.codes[last]
    lf, ll, rf, rl = cf[left], cl[left], cf[right], cl[right]
    both = np.flatnonzero((lf >= 0) & (ll >= 0) & (rf >= 0) & (rl >= 0))
    swapped = np.zeros(len(left), dtype=bool)
    if not len(both):
        return swapped
    # Cross comparisons need one code space: compare the values, not the codes.
    values_f, values_l = table.values[first], table.values[last]
    li, ri = left[both], right[both]
    straight = np.asarray(
        process.cpdist(
            values_f[li].tolist(), values_f[ri].tolist(), scorer=JaroWinkler.normalized_similarity
        )
    ) + np.asarray(
        process.cpdist(
            values_l[li].tolist(), values_l[ri].tolist(), scorer=JaroWinkler.normalized_similarity
        )
    )
    crossed = np.asarray(
        process.cpdist(
            values_f[li].tolist(), values_l[ri].tolist(), scorer=JaroWinkler.normalized_similarity
        )
    ) + np.asarray(
        process.cpdist(
            values_l[li].tolist(), values_f[ri].tolist(), scorer=JaroWinkler.normalized_similarity
        )
    )
    swapped[both] = crossed > straight + 0.3
    return swapped


def compare(table: Table, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The level matrix (pairs x fields, int8) of ``table.schema``'s fields; swapped names are
    compared crossed."""
    schema = table.schema
    matrix = np.empty((len(left), len(schema.fields)), dtype=np.int8)
    if schema.swap is None:
        for column, f in enumerate(schema.fields):
            matrix[:, column] = levels(table, f, left, right)
        return matrix
    swapped = swap_names(table, schema.swap, left, right)
    first, last = schema.swap
    for column, f in enumerate(schema.fields):
        matrix[:, column] = levels(table, f, left, right)
    if swapped.any():
        idx = np.flatnonzero(swapped)
        crossed = _crossed(table, first, last, left[idx], right[idx])
        k = len(idx)
        mine, theirs = np.arange(k), np.arange(k, 2 * k)
        for key in (first, last):
            matrix[idx, _col(schema, key)] = levels(crossed, schema.field(key), mine, theirs)
    return matrix


def _col(schema: Schema, key: str) -> int:
    return next(i for i, f in enumerate(schema.fields) if f.key == key)


def _crossed(table: Table, first: str, last: str, left: np.ndarray, right: np.ndarray) -> Table:
    """A small table of the swapped pairs: rows ``0..k-1`` the left records, rows ``k..2k-1``
    the right records with their two name fields traded, so that comparing row ``i`` with row
    ``k + i`` compares first name with last name."""
    view = Table(table.schema, np.concatenate([table.ids[left], table.ids[right]]))
    for key, other in ((first, last), (last, first)):
        values = np.concatenate([table.values[key][left], table.values[other][right]])
        view.values[key] = values
        vocab: dict[object, int] = {}
        view.codes[key] = np.fromiter(
            (vocab.setdefault(v, len(vocab)) if v else -1 for v in values.tolist()),
            dtype=np.int32,
            count=len(values),
        )
    return view
