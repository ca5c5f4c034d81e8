"""One matcher for the workspace scan, imports and the duplicate check of a new record.

:func:`run` learns a model from a table of records and scores every candidate pair;
:func:`score` scores given pairs with a model already learned (the check of a typed record, an
import row). Both compare with :mod:`compare` and weigh with :mod:`model`, so a pair gets the
same probability and the same reasons whichever path found it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vinculo.quality.matching import model
from vinculo.quality.matching.blocking import CAP, Blocking, Rule, block, estimate_recall
from vinculo.quality.matching.compare import compare
from vinculo.quality.matching.model import Params
from vinculo.quality.matching.schema import Table

PRIOR_PAIRS = 10_000.0  # pairs the prior share of matches is worth (small workspaces lean on it)
PRIOR_DUPLICATES = 0.05  # before learning: one record in twenty has a duplicate
CHUNK = 1_000_000  # pairs compared at a time
MIN_RECORDS = 1000  # below, m keeps its prior (EM over a few hundred pairs finds noise)
MIN_SESSION = 30  # an EM session needs this many candidate pairs
MIN_GLOBAL = 500  # else one session over all pairs, if this many (fewer: the priors stand)
SESSION_LIMIT = 2_000_000  # pairs per EM session (a random subset beyond)
Progress = Callable[[str, float], None]


@dataclass
class Result:
    """What a run found: pairs ``(left[k], right[k])`` (table indices) with their probability,
    levels and per-field weights; the learned model; the blocking report; the recall estimate
    and the thresholds chosen from the estimated precision."""

    params: Params
    blocking: Blocking
    left: np.ndarray
    right: np.ndarray
    probability: np.ndarray
    levels: np.ndarray
    weights: np.ndarray
    recall: dict[str, Any]
    thresholds: dict[str, float]
    compared: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def compare_in_chunks(table: Table, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """:func:`compare` :data:`CHUNK` pairs at a time: the strings a comparison lists stay a
    few hundred megabytes at a million records."""
    levels = np.empty((len(left), len(table.schema.fields)), dtype=np.int8)
    for start in range(0, len(left), CHUNK):
        end = start + CHUNK
        levels[start:end] = compare(table, left[start:end], right[start:end])
    return levels


def _active(table: Table) -> np.ndarray:
    if table.active is None:
        return np.arange(len(table))
    return np.flatnonzero(table.active)


def fit(
    table: Table,
    blocking: Blocking,
    levels: np.ndarray,
    *,
    labels: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
) -> Params:
    """Learn ``u`` from random pairs, ``m`` by EM per blocking rule, term frequencies; ``λ`` is
    set by :func:`settle_prior` once pairs are weighed."""
    fields = table.schema.fields
    kinds = [str(f.kind) for f in fields]
    active = _active(table)
    left, right = model.random_pairs(len(active), model.MAX_U_PAIRS, seed)
    refused = labels[0][~labels[1]] if labels is not None else None
    u = model.estimate_u(compare(table, active[left], active[right]), kinds, refused)
    u_arrays = [np.asarray(x) for x in u]
    rng = np.random.default_rng(seed)
    sessions = []
    for r, rule in enumerate(blocking.rules if len(active) >= MIN_RECORDS else []):
        mask = np.flatnonzero(blocking.bits & np.uint32(1 << r))
        if len(mask) < MIN_SESSION:
            continue
        if len(mask) > SESSION_LIMIT:
            mask = rng.choice(mask, SESSION_LIMIT, replace=False)
        use = [c for c, f in enumerate(fields) if f.key not in rule.fields]
        m, _share, expected = model.em_session(levels[mask], u_arrays, use, kinds, labels)
        sessions.append((m, expected))
    labelled = labels is not None and len(labels[0]) > 0
    if not sessions and ((len(levels) >= MIN_GLOBAL and len(active) >= MIN_RECORDS) or labelled):
        # Too few pairs per rule: one session over every candidate and field.
        m, _share, expected = model.em_session(
            levels, u_arrays, list(range(len(fields))), kinds, labels
        )
        sessions.append((m, expected))
    tf, tf_default = model.term_frequencies(table, u)
    return Params(
        signature=table.schema.signature,
        m=model.combine_m(sessions, kinds),
        u=u,
        lam=1.0 / max(len(active), 2) ** 2,
        tf=tf,
        tf_default=tf_default,
        labels=0 if labels is None else len(labels[0]),
    )


def settle_prior(
    params: Params, total: np.ndarray, bits: np.ndarray, n: int, rules: int
) -> dict[str, Any]:
    """Set ``λ`` to its fixed point: expected matches among the candidates, divided by the
    estimated blocking recall, over all ``n(n-1)/2`` pairs, with a prior (one record in twenty
    duplicated) worth :data:`PRIOR_PAIRS` pairs. Returns the recall estimate."""
    pairs = max(n * (n - 1) / 2, 1.0)
    prior = PRIOR_DUPLICATES * max(n, 2) / 2 / pairs
    recall: dict[str, Any] = {"recall": None}
    # Pairs weighing against a match add at most λ each: left out of the sums.
    telling = total >= 0
    if telling.any():
        total, bits = total[telling], bits[telling]
    for _ in range(12):
        p = model.probability(params, total)
        recall = estimate_recall(bits, p, rules)
        share = recall["recall"] or 1.0
        expected = p.sum(dtype=np.float64) / share
        lam = float(np.clip((expected + PRIOR_PAIRS * prior) / (pairs + PRIOR_PAIRS), 1e-12, 0.5))
        done = abs(np.log(lam / params.lam)) < 1e-3
        params.lam = lam
        if done:
            break
    return recall


def thresholds(probability: np.ndarray, expected: float, auto_precision: float) -> dict[str, float]:
    """The review threshold of the best expected F1 (expected true pairs: the sum of the
    probabilities), and the lowest automatic-merge threshold whose merged set keeps an expected
    precision of ``auto_precision``; with the expected precision and recall at each."""
    if not len(probability):
        return {"review": 0.5, "auto_merge": max(0.5, auto_precision)}
    p = np.sort(probability)[::-1]
    found = np.cumsum(p)
    count = np.arange(1, len(p) + 1)
    total = max(expected, float(found[-1]), 1e-9)
    f1 = 2 * found / (count + total)
    best = int(np.argmax(f1))
    # With calibrated probabilities a pair raises the expected F1 exactly when its probability
    # exceeds half the best F1; never below one half: a queue of pairs more likely different
    # than the same is noise.
    review = float(np.clip(f1[best] / 2, 0.5, 0.95))
    best = max(int(np.searchsorted(-p, -review, side="right")) - 1, 0)
    precision = found / count
    ok = np.flatnonzero(precision >= auto_precision)
    auto = float(p[ok[-1]]) if len(ok) else 1.0
    auto = max(auto, review, 0.5)
    at = int(np.searchsorted(-p, -auto, side="right")) - 1
    return {
        "review": round(review, 4),
        "auto_merge": round(min(auto, 0.9999), 4),
        "review_precision": round(float(precision[best]), 4),
        "review_recall": round(float(found[best] / total), 4),
        "auto_merge_precision": round(float(precision[at]) if at >= 0 else 1.0, 4),
        "auto_merge_recall": round(float(found[at] / total) if at >= 0 else 0.0, 4),
    }


def run(
    table: Table,
    rules: list[Rule],
    *,
    labels: tuple[np.ndarray, np.ndarray] | None = None,
    auto_precision: float = 0.995,
    cap: int = CAP,
    seed: int = 0,
    keep: float = 0.05,
    progress: Progress | None = None,
) -> Result:
    """Block, compare, learn, weigh: every candidate pair with probability ≥ ``keep``."""
    tick = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(stage: str, done: float) -> None:
        nonlocal tick
        now = time.perf_counter()
        seconds[stage] = round(now - tick, 3)
        tick = now
        if progress is not None:
            progress(stage, done)

    blocking = block(table, rules, cap=cap)
    lap("blocking", 0.2)
    levels = compare_in_chunks(table, blocking.left, blocking.right)
    lap("comparing", 0.5)
    params = fit(table, blocking, levels, labels=labels, seed=seed)
    lap("learning", 0.8)
    total = model.total_bits(params, table, (blocking.left, blocking.right), levels)
    recall = settle_prior(params, total, blocking.bits, len(_active(table)), len(blocking.rules))
    p = model.probability(params, total)
    del total
    expected = float(p.sum(dtype=np.float64)) / (recall["recall"] or 1.0)
    kept = np.flatnonzero(p >= keep)
    probability = p[kept].astype(np.float64)
    del p
    # Pairs below ``keep`` never pass a threshold: the choice reads only the others.
    chosen = thresholds(probability, expected, auto_precision)
    left, right, kept_levels = blocking.left[kept], blocking.right[kept], levels[kept]
    del levels
    weights = model.bits_matrix(params, table, (left, right), kept_levels)
    lap("scoring", 1.0)
    return Result(
        params=params,
        blocking=blocking,
        left=left,
        right=right,
        probability=probability,
        levels=kept_levels,
        weights=weights,
        recall=recall,
        thresholds=chosen,
        compared=len(blocking.left),
        seconds=seconds,
    )


def score(
    params: Params, table: Table, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities, levels and field weights of given pairs with a learned model."""
    levels = compare(table, left, right)
    weights = model.bits_matrix(params, table, (left, right), levels)
    return model.probability(params, weights.sum(axis=1, dtype=np.float64)), levels, weights
