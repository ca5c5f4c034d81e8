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

Labels the users gave (merged pairs, "not a duplicate") join every EM session with their answer
fixed, each counting as :data:`LABEL_WEIGHT` unlabelled pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from vinculo.quality.matching.schema import Table

LABEL_WEIGHT = 10.0
TF_CLAMP = 6.0  # bits: a term-frequency adjustment never moves a weight further than this
TF_KEEP = 5000  # the most common values per field whose frequency is stored with the model
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


def _initial_m(levels: int) -> np.ndarray:
    shape = np.arange(1, levels + 1, dtype=float) ** 3
    return shape / shape.sum()


def default_params(table: Table) -> Params:
    """Weights before any learning: the strongest agreement is likely among matches, each
    level ``u`` shared evenly. Used to check a new record before the first scan."""
    fields = table.schema.fields
    u = []
    for f in fields:
        count = len(f.levels)
        top = 0.002 if f.kind not in ("category",) else 0.1
        rest = (1 - top) * _initial_m(count)[::-1][:-1] / _initial_m(count)[::-1][:-1].sum()
        u.append([*rest.tolist(), top])
    m = [_initial_m(len(f.levels)).tolist() for f in fields]
    return Params(table.schema.signature, m, u, lam=1e-4)


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


def estimate_u(levels: np.ndarray, sizes: list[int]) -> list[list[float]]:
    """The level distribution per field among random pairs; a level never seen gets half a
    count, so that no weight is infinite."""
    u = []
    for column, size in enumerate(sizes):
        counts = np.bincount(levels[:, column][levels[:, column] >= 0], minlength=size)[:size]
        counts = counts.astype(float) + 0.5 * (counts == 0)
        u.append((counts / counts.sum()).tolist())
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
    codes = (levels.astype(np.int64) + 1) @ powers
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
    sizes: list[int],
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
    m = {c: _initial_m(sizes[c]) for c in use}
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
            sums = np.bincount(level[present], weights=weight[present], minlength=sizes[c])
            sums = sums[: sizes[c]] + 1e-6
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


def term_frequencies(table: Table) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per term-frequency field: the frequency of its most common values, and the frequency
    assumed for any other value (one record in the field's filled records)."""
    tf: dict[str, dict[str, float]] = {}
    default: dict[str, float] = {}
    active = table.active if table.active is not None else np.ones(len(table), dtype=bool)
    for f in table.schema.fields:
        if not f.tf:
            continue
        codes = table.codes[f.key][active]
        codes = codes[codes >= 0]
        filled = len(codes)
        if not filled:
            continue
        counts = np.bincount(codes)
        common = np.flatnonzero(counts >= 2)
        common = common[np.argsort(-counts[common], kind="stable")][:TF_KEEP]
        first_of = np.full(len(counts), -1, dtype=np.int64)
        all_codes = table.codes[f.key]
        order = np.flatnonzero(all_codes >= 0)[::-1]
        first_of[all_codes[order]] = order
        values = table.values[f.key]
        tf[f.key] = {str(values[first_of[c]]): float(counts[c] / filled) for c in common}
        default[f.key] = 1.0 / filled
    return tf, default


def tf_adjustment_matrix(
    params: Params, table: Table, left: np.ndarray, levels: np.ndarray
) -> np.ndarray:
    """Bits added to each pair's field weight for the values it agrees on exactly (tf fields):
    ``log2(u / frequency(value))``, clamped to ±:data:`TF_CLAMP`."""
    extra = np.zeros(levels.shape, dtype=np.float32)
    for column, key in enumerate(k.rsplit(":", 1)[0] for k in params.signature):
        if key not in params.tf:
            continue
        top = len(params.u[column]) - 1
        exact = np.flatnonzero(levels[:, column] == top)
        if not len(exact):
            continue
        known = params.tf[key]
        fallback = params.tf_default.get(key, 1e-6)
        values = table.values[key][left[exact]].tolist()
        freq = np.fromiter((known.get(str(v), fallback) for v in values), float, len(values))
        bits = np.log2(params.u[column][top] / np.maximum(freq, 1e-12))
        extra[exact, column] = np.clip(bits, -TF_CLAMP, TF_CLAMP)
    return extra


def match_weights(params: Params, levels: np.ndarray) -> np.ndarray:
    """Per pair and field, the weight in bits (0 where a value is missing)."""
    out = np.zeros(levels.shape, dtype=np.float32)
    for column, weights in enumerate(params.weights()):
        level = levels[:, column]
        present = level >= 0
        out[present, column] = weights[level[present]]
    return out


def probability(params: Params, total_bits: np.ndarray) -> np.ndarray:
    prior = np.log2(params.lam / (1 - params.lam))
    return 1.0 / (1.0 + np.exp2(-np.clip(prior + total_bits, -1000, 1000)))


def combine_m(
    sessions: Iterable[tuple[dict[int, np.ndarray], float]], sizes: list[int]
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
    for column, size in enumerate(sizes):
        values = total[column] / weight[column] if column in total else _initial_m(size)
        out.append((values / values.sum()).tolist())
    return out
