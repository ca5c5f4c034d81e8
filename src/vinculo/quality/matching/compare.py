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
    """The distinct (code, code) pairs among ``ci, cj``, and for each input pair the index of
    its distinct pair (an unstable sort: which equal pair stands for the others is immaterial)."""
    key = ci.astype(np.int64) << 32 | cj.astype(np.int64)
    order = np.argsort(key)
    key = key[order]
    new = np.empty(len(key), dtype=bool)
    new[:1] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    del key
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    first = order[new]
    return ci[first], cj[first], inverse


WORKERS = -1  # rapidfuzz's C++ threads for the similarity of distinct pairs: every core


def _pairwise(table: Table, key: str, ci: np.ndarray, cj: np.ndarray, scorer: Scorer) -> np.ndarray:
    """``scorer`` over the values behind codes ``ci`` and ``cj`` (each distinct pair once)."""
    if not len(ci):
        return np.zeros(0)
    return _similar(table.by_code(key), ci, cj, scorer)


def _similar(values: np.ndarray, ci: np.ndarray, cj: np.ndarray, scorer: Scorer) -> np.ndarray:
    """``scorer`` of ``values[ci[k]]`` and ``values[cj[k]]``, each distinct pair once."""
    if not len(ci):
        return np.zeros(0)
    ui, uj, inverse = _distinct(ci, cj)
    scores = process.cpdist(
        values[ui].tolist(), values[uj].tolist(), scorer=scorer, workers=WORKERS
    )
    return np.asarray(scores)[inverse]


def _per_code(table: Table, key: str, name: str, make: Callable[[np.ndarray], np.ndarray]):
    """A column computed once per distinct value of ``key`` (cached on the table)."""
    slot = f"{key}|{name}"
    found = table.distinct.get(slot)
    if found is None:
        found = make(table.by_code(key))
        table.distinct[slot] = found
    return found


def _jaro(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    return _pairwise(table, key, ci, cj, JaroWinkler.normalized_similarity)


def _typos(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Edit distance counting a swap of two neighbouring characters as one edit."""
    return _pairwise(table, key, ci, cj, OSA.distance)


def _date_parts(values: np.ndarray) -> np.ndarray:
    """Year, month and day of each ``YYYYMMDD`` value; a value that is not one gets month -1
    and day -2, so it is never the transposition of another."""
    parts = np.empty((len(values), 3), dtype=np.int32)
    for k, v in enumerate(values.tolist()):
        text = str(v or "")
        ok = len(text) == 8 and text.isdigit()
        parts[k] = (int(text[:4]), int(text[4:6]), int(text[6:])) if ok else (-1 - k, -1, -2)
    return parts


def _transposed(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Dates ``YYYYMMDD`` whose day and month are swapped."""
    parts = _per_code(table, key, "date", _date_parts)
    a, b = parts[ci], parts[cj]
    return (a[:, 0] == b[:, 0]) & (a[:, 1] == b[:, 2]) & (a[:, 2] == b[:, 1])


def _as_number(values: np.ndarray) -> np.ndarray:
    """Each value as a number when it is digits only (up to 15: exact in a float), else NaN."""
    out = np.full(len(values), np.nan)
    for k, v in enumerate(values.tolist()):
        text = str(v or "")
        if text.isdigit() and len(text) <= 15:
            out[k] = int(text)
    return out


def _numeric_gap(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    number = _per_code(table, key, "number", _as_number)
    with np.errstate(invalid="ignore"):
        gap = np.abs(number[ci] - number[cj])
    return np.where(np.isnan(gap), 1e9, gap)


def _areas(values: np.ndarray) -> np.ndarray:
    """A code per postal area: the length and leading digits of a code (a CEP's first five,
    the region of a shorter code)."""
    seen: dict[tuple[int, str], int] = {}
    out = np.empty(len(values), dtype=np.int32)
    for k, v in enumerate(values.tolist()):
        text = str(v or "")
        size = max(2, min(5, len(text) - 3))
        out[k] = seen.setdefault((len(text), text[:size]), len(seen))
    return out


def _prefix_alike(table: Table, key: str, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Postal codes in the same area: the same length and leading digits."""
    area = _per_code(table, key, "area", _areas)
    return area[ci] == area[cj]


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


def _joint(table: Table, first: str, last: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One code space for two name fields: ``(values, code of each first name, code of each
    last name)``, so a first name is compared with a last name once per distinct pair."""
    slot = f"{first}|{last}|joint"
    found = table.distinct.get(slot)
    if found is None:
        vocab: dict[object, int] = {}
        maps = [
            np.fromiter(
                (vocab.setdefault(v, len(vocab)) for v in table.by_code(key).tolist()),
                dtype=np.int32,
            )
            for key in (first, last)
        ]
        values = np.empty(len(vocab), dtype=object)
        values[:] = list(vocab)
        found = np.empty(3, dtype=object)
        found[:] = [values, maps[0], maps[1]]
        table.distinct[slot] = found
    return found[0], found[1], found[2]


def swap_names(
    table: Table, pair: tuple[str, str], left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Which pairs wrote the two name fields the other way round (first name in the last-name
    field): the crossed comparison is clearly closer than the straight one. Similarities are
    at most 1 each, so only pairs whose straight sum is under 1.7 can be crossed."""
    first, last = pair
    cf, cl = table.codes[first], table.codes[last]
    lf, ll, rf, rl = cf[left], cl[left], cf[right], cl[right]
    both = np.flatnonzero((lf >= 0) & (ll >= 0) & (rf >= 0) & (rl >= 0))
    swapped = np.zeros(len(left), dtype=bool)
    if not len(both):
        return swapped
    jaro = JaroWinkler.normalized_similarity
    straight = _jaro(table, first, lf[both], rf[both]) + _jaro(table, last, ll[both], rl[both])
    maybe = straight < 1.7
    both, straight = both[maybe], straight[maybe]
    values, of_first, of_last = _joint(table, first, last)
    crossed = _similar(values, of_first[lf[both]], of_last[rl[both]], jaro) + _similar(
        values, of_last[ll[both]], of_first[rf[both]], jaro
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
