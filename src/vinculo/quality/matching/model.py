"""The Fellegi-Sunter model: how much each field's agreement says about two records being one.

For each field and agreement level, ``m`` is the probability of that level when the two records
are the same customer and ``u`` when they are not. A pair's *match weight* is the sum over its
fields of ``log2(m/u)`` (a missing value weighs nothing); with the prior ``λ`` (the probability
that two random records match) it gives the match probability.

Learned without labels, from the workspace's own records (as splink does):

* ``u`` from pairs drawn at random (nearly all non-matches);
* ``m`` by expectation-maximisation over the candidate pairs, once per blocking rule, leaving out
  the fields that rule blocks on (they agree by construction), averaged over the rules;
* ``λ`` as the fixed point "expected matches among candidates ÷ blocking recall ÷ all pairs";
* term frequencies: agreeing on a rare value (a surname borne by two records) weighs more than
  on a common one ("Silva"); the adjustment is ``u / frequency(value)``.

Labels the users gave join the learning, each worth :data:`LABEL_WEIGHT` pairs: merged pairs
join every EM session as certain matches; "not a duplicate" pairs join both the EM sessions as
certain non-matches and the random pairs ``u`` is counted on (what they agree on is then seen
among non-matches, and weighs less).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from vinculo.quality.matching.schema import Table

LABEL_WEIGHT = 10.0
U_PRIOR_PAIRS = 2000.0  # random pairs the prior u is worth: small workspaces lean on it
M_PRIOR_MATCHES = 10.0  # matches the prior m is worth in each EM session
TF_CLAMP = 6.0  # bits: a term-frequency adjustment never moves a weight further than this
TF_KEEP = 5000  # the most common values per field whose frequency is stored with the model
TF_PRIOR = 100.0  # records the field's average frequency is worth
MAX_U_PAIRS = 300_000
EM_ITERATIONS = 40


@dataclass
class Params:
    """A fitted model, JSON-serialisable (stored per workspace and record type)."""

    signature: list[str]
    m: list[list[float]]
    u: list[list[float]]
    lam: float
    tf: dict[str, dict[str, float]] = field(default_factory=dict)
    tf_default: dict[str, float] = field(default_factory=dict)
    labels: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Params:
        return cls(**data)

    def weights(self) -> list[np.ndarray]:
        """``log2(m/u)`` per field and level."""
        return [np.log2(np.asarray(m) / np.asarray(u)) for m, u in zip(self.m, self.u, strict=True)]


# What each kind's levels look like before any data, (u, m) from disagreement to the strongest
# agreement: a random pair rarely shares a birth date (u) and a duplicate usually does (m). A
# small workspace leans on these; a large one overrides them with what it learns.
PRIORS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "name": ((0.89, 0.07, 0.02, 0.02), (0.05, 0.05, 0.15, 0.75)),
    "place": ((0.90, 0.05, 0.02, 0.03), (0.10, 0.05, 0.15, 0.70)),
    "identifier": ((0.9999, 0.00009, 0.00001), (0.0005, 0.0495, 0.95)),
    "email": ((0.9999, 0.00009, 0.00001), (0.25, 0.05, 0.70)),
    "phones": ((0.9999, 0.00009, 0.00001), (0.25, 0.05, 0.70)),
    "date": ((0.998, 0.0015, 0.0004, 0.0001), (0.05, 0.03, 0.07, 0.85)),
    "postal": ((0.95, 0.045, 0.004, 0.001), (0.05, 0.05, 0.10, 0.80)),
    "number": ((0.95, 0.04, 0.01), (0.10, 0.05, 0.85)),
    "category": ((0.8, 0.2), (0.05, 0.95)),
}


def prior_u(kind: str) -> np.ndarray:
    return np.asarray(PRIORS[kind][0])


def prior_m(kind: str) -> np.ndarray:
    return np.asarray(PRIORS[kind][1])


def default_params(table: Table) -> Params:
    """The prior weights, before any learning (the check of a new record before the first scan)."""
    fields = table.schema.fields
    return Params(
        table.schema.signature,
        [prior_m(f.kind).tolist() for f in fields],
        [prior_u(f.kind).tolist() for f in fields],
        lam=1e-4,
    )


def random_pairs(n: int, limit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair when there are at most ``limit``, else ``limit`` pairs drawn at random."""
    if n * (n - 1) // 2 <= limit:
        left, right = np.triu_indices(n, 1)
        return left.astype(np.int64), right.astype(np.int64)
    rng = np.random.default_rng(seed)
    left = rng.integers(0, n, size=limit)
    right = rng.integers(0, n - 1, size=limit)
    right[right >= left] += 1
    return left, right


def estimate_u(
    levels: np.ndarray, kinds: list[str], refused: np.ndarray | None = None
) -> list[list[float]]:
    """The level distribution per field among random pairs, with the kind's prior worth
    :data:`U_PRIOR_PAIRS` pairs (no level is ever impossible, no weight infinite). ``refused``:
    level rows of pairs users marked "not a duplicate", each worth :data:`LABEL_WEIGHT` pairs:
    what they agree on is seen among non-matches, so it weighs less."""
    u = []
    for column, kind in enumerate(kinds):
        prior = prior_u(kind)
        seen = levels[:, column]
        counts = np.bincount(seen[seen >= 0], minlength=len(prior))[: len(prior)].astype(float)
        if refused is not None and len(refused):
            told = refused[:, column]
            counts += (
                LABEL_WEIGHT * np.bincount(told[told >= 0], minlength=len(prior))[: len(prior)]
            )
        values = counts + U_PRIOR_PAIRS * prior
        u.append((values / values.sum()).tolist())
    return u


def _patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``levels`` and how often each occurs (rows encoded as one integer:
    levels are -1..4, so base 6 holds 24 fields in an int64)."""
    if not len(levels):
        return levels, np.zeros(0)
    width = levels.shape[1]
    if width > 24:
        unique, counts = np.unique(levels, axis=0, return_counts=True)
        return unique, counts.astype(float)
    powers = 6 ** np.arange(width, dtype=np.int64)
    # A column at a time: no pairs x fields matrix of int64.
    codes = np.zeros(len(levels), dtype=np.int64)
    for column in range(width):
        codes += (levels[:, column].astype(np.int64) + 1) * powers[column]
    unique_codes, counts = np.unique(codes, return_counts=True)
    rows = (unique_codes[:, None] // powers) % 6 - 1
    return rows.astype(np.int8), counts.astype(float)


def _log_bf(
    patterns: np.ndarray, log_m: list[np.ndarray], log_u: list[np.ndarray], use: list[int]
) -> np.ndarray:
    total = np.zeros(len(patterns))
    for column in use:
        level = patterns[:, column]
        present = level >= 0
        safe = np.where(present, level, 0)
        total += np.where(present, log_m[column][safe] - log_u[column][safe], 0.0)
    return total


def em_session(
    levels: np.ndarray,
    u: list[np.ndarray],
    use: list[int],
    kinds: list[str],
    labelled: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[dict[int, np.ndarray], float, float]:
    """EM for ``m`` (fields ``use``) and the match share over ``levels`` with ``u`` fixed.
    Returns ``(m per field, match share, expected matches)``."""
    patterns, counts = _patterns(levels)
    fixed = np.zeros(0)
    if labelled is not None and len(labelled[0]):
        patterns = np.vstack([patterns, labelled[0]]) if len(patterns) else labelled[0]
        fixed = labelled[1].astype(float)
        counts = np.concatenate([counts, np.full(len(fixed), LABEL_WEIGHT)])
    free = len(counts) - len(fixed)
    sizes = [len(prior_m(k)) for k in kinds]
    m: dict[int, np.ndarray] = {c: prior_m(kinds[c]) for c in use}
    log_u = [np.log(np.asarray(x)) for x in u]
    share = 0.1
    posterior = np.zeros(len(counts))
    for _ in range(EM_ITERATIONS):
        log_m = [np.log(m[c]) if c in m else np.zeros(sizes[c]) for c in range(len(sizes))]
        logit = np.log(share / (1 - share)) + _log_bf(patterns, log_m, log_u, use)
        posterior = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        posterior[free:] = fixed
        weight = counts * posterior
        change = 0.0
        for c in use:
            level = patterns[:, c]
            present = level >= 0
            seen = np.bincount(level[present], weights=weight[present], minlength=sizes[c])
            sums = seen[: sizes[c]] + M_PRIOR_MATCHES * prior_m(kinds[c])
            new = sums / sums.sum()
            change = max(change, float(np.abs(new - m[c]).max()))
            m[c] = new
        if free:
            new_share = float(np.clip(weight[:free].sum() / counts[:free].sum(), 1e-9, 1 - 1e-9))
            change = max(change, abs(new_share - share))
            share = new_share
        if change < 1e-5:
            break
    return m, share, float((counts[:free] * posterior[:free]).sum())


def term_frequencies(
    table: Table, u: list[list[float]]
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per term-frequency field: how common each of its most common values is, and the figure
    for any other value.

    A pair agreeing on a value says more the fewer *other* records bear it, so a value's count
    is taken less one (a person stored five times is not their own namesake four times over),
    and blended with the field's average (``u`` of exact agreement, worth :data:`TF_PRIOR`
    records) so that a small workspace does not read "2 of 9 records" as a common name."""
    tf: dict[str, dict[str, float]] = {}
    default: dict[str, float] = {}
    active = table.active if table.active is not None else np.ones(len(table), dtype=bool)
    for column, f in enumerate(table.schema.fields):
        if not f.tf:
            continue
        codes = table.codes[f.key][active]
        codes = codes[codes >= 0]
        filled = len(codes)
        if not filled:
            continue
        average = u[column][-1]
        counts = np.bincount(codes)
        common = np.flatnonzero(counts >= 2)
        common = common[np.argsort(-counts[common], kind="stable")][:TF_KEEP]
        first_of = np.full(len(counts), -1, dtype=np.int64)
        all_codes = table.codes[f.key]
        order = np.flatnonzero(all_codes >= 0)[::-1]
        first_of[all_codes[order]] = order
        values = table.values[f.key]
        scale = filled + TF_PRIOR
        tf[f.key] = {
            str(values[first_of[c]]): float((counts[c] - 1 + TF_PRIOR * average) / scale)
            for c in common
        }
        default[f.key] = float(TF_PRIOR * average / scale + 1.0 / scale)
    return tf, default


def _code_frequencies(params: Params, table: Table, key: str) -> np.ndarray:
    """The term frequency of each code of ``key`` in ``table`` (a value not stored with the
    model: the model's figure for rarer values)."""
    codes = table.codes[key]
    size = int(codes.max()) + 1 if len(codes) else 0
    first_of = np.full(size, -1, dtype=np.int64)
    order = np.flatnonzero(codes >= 0)[::-1]
    first_of[codes[order]] = order
    known = params.tf[key]
    fallback = params.tf_default.get(key, 1e-6)
    values = table.values[key][first_of].tolist() if size else []
    return np.fromiter((known.get(str(v), fallback) for v in values), float, size)


TF_CHUNK = 1 << 21  # exact agreements adjusted at a time (their temporaries stay small)


def field_bits(
    params: Params,
    table: Table,
    pair: tuple[np.ndarray, np.ndarray],
    levels: np.ndarray,
    column: int,
) -> np.ndarray:
    """One field's weight per pair, in bits: ``log2(m/u)`` of its level (0 where a value is
    missing) and, for an exact agreement on a term-frequency field,
    ``log2(u / frequency(value))`` clamped to ±:data:`TF_CLAMP`. The frequency is the higher
    of the two records' values in the field: a pair compared crossed (names swapped) agrees
    on "Cecília" as a first name, not on a first name nobody has."""
    left, right = pair
    weights = np.log2(np.asarray(params.m[column]) / np.asarray(params.u[column]))
    level = levels[:, column]
    # A level at a time (a value missing, -1, weighs nothing): no index array of 8 bytes a pair.
    out = np.zeros(len(level), dtype=np.float32)
    for value, weight in enumerate(weights.tolist()):
        np.copyto(out, np.float32(weight), where=level == value)
    key = params.signature[column].rsplit(":", 1)[0]
    if key in params.tf and key in table.codes:
        top = len(params.u[column]) - 1
        exact = np.flatnonzero(level == top)
        if len(exact):
            per_code = _code_frequencies(params, table, key)
            codes = table.codes[key]
            for start in range(0, len(exact), TF_CHUNK):
                some = exact[start : start + TF_CHUNK]
                freq = np.maximum(per_code[codes[left[some]]], per_code[codes[right[some]]])
                bits = np.log2(params.u[column][top] / np.maximum(freq, 1e-12))
                out[some] += np.clip(bits, -TF_CLAMP, TF_CLAMP).astype(np.float32)
    return out


def total_bits(
    params: Params, table: Table, pair: tuple[np.ndarray, np.ndarray], levels: np.ndarray
) -> np.ndarray:
    """Each pair's match weight: the sum of its fields' bits (a field at a time: no
    pairs x fields matrix of floats at a million records; single precision, as each field's
    bits are: a weight of ±100 bits is still exact to a thousandth)."""
    total = np.zeros(len(levels), dtype=np.float32)
    for column in range(levels.shape[1]):
        total += field_bits(params, table, pair, levels, column)
    return total


def bits_matrix(
    params: Params, table: Table, pair: tuple[np.ndarray, np.ndarray], levels: np.ndarray
) -> np.ndarray:
    """Per pair and field, the bits (for the few pairs whose reasons are written)."""
    out = np.zeros(levels.shape, dtype=np.float32)
    for column in range(levels.shape[1]):
        out[:, column] = field_bits(params, table, pair, levels, column)
    return out


def probability(params: Params, total_bits: np.ndarray) -> np.ndarray:
    """Each pair's match probability, in the precision of ``total_bits`` (single precision for
    a run's millions of pairs: the thresholds are read to four decimals)."""
    prior = np.log2(params.lam / (1 - params.lam))
    dtype = np.dtype(np.float32 if total_bits.dtype == np.float32 else np.float64)
    bits = np.clip(np.asarray(total_bits, dtype=dtype) + dtype.type(prior), -126, 126)
    np.negative(bits, out=bits)
    np.exp2(bits, out=bits)
    bits += 1
    return np.reciprocal(bits, out=bits)


def combine_m(
    sessions: Iterable[tuple[dict[int, np.ndarray], float]], kinds: list[str]
) -> list[list[float]]:
    """Each field's ``m``: the sessions that estimated it, weighted by their expected matches;
    a field no session estimated keeps the prior."""
    total: dict[int, np.ndarray] = {}
    weight: dict[int, float] = {}
    for m, expected in sessions:
        for column, values in m.items():
            w = max(expected, 1e-9)
            total[column] = total.get(column, 0) + w * values
            weight[column] = weight.get(column, 0.0) + w
    out = []
    for column, kind in enumerate(kinds):
        values = total[column] / weight[column] if column in total else prior_m(kind)
        if kind == "identifier":
            # A document identifies one customer: two records of one customer with two
            # different documents (not a typo apart) are as rare as the prior says, however
            # many namesakes with their own documents EM was shown.
            values = values.copy()
            values[0] = min(values[0], prior_m(kind)[0])
        out.append((values / values.sum()).tolist())
    return out
