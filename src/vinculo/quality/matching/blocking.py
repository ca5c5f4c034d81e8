"""Blocking: which pairs of records are compared at all.

Comparing every record with every other is N²/2 pairs. A *blocking rule* is a conjunction of
keys (the same email; the same birth date and postal code; names that sound alike…); only pairs
sharing all the keys of at least one rule are compared. The rules are chosen from the fields the
workspace fills: a rule on a field almost nobody fills finds nothing, and a rule whose blocks
would cost too many comparisons is left out. Blocks bigger than ``cap`` records (a whole city of
"Maria Silva") are skipped: they carry no signal and cost ``cap²`` comparisons each.

Which rules found a pair is kept (a bit per rule), so that, once pairs are scored, the share of
likely matches each rule finds, and the recall of all rules together, can be estimated
(:func:`estimate_recall`: capture-recapture between each rule and the others).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vinculo.quality.matching import normalise as norm
from vinculo.quality.matching.schema import Table

CAP = 50
MIN_FILL = 0.05


@dataclass(frozen=True)
class Rule:
    """A conjunction of key parts, e.g. ``("birth_date", "postal_code")`` or
    ``("sound:names",)``. A part is a field key (its exact value), or ``sound:names``,
    ``first3:<field>``, ``initial:<field>``, ``year:<field>``, ``mailbox:<field>``."""

    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        return "+".join(self.parts)

    @property
    def fields(self) -> set[str]:
        """The fields this rule reads (they get no weight in the EM session it trains)."""
        found = {_field_of(part) for part in self.parts if part not in _NAME_PARTS}
        if _NAME_PARTS & set(self.parts):
            found |= {"first_name", "last_name", "name"}
        return found


_PREFIXES = {"first3", "initial", "year", "mailbox"}
_NAME_PARTS = {"sound:names", "sound:all", "starts:names"}


def person_rules(identifiers: list[str]) -> list[Rule]:
    """The rules tried on people: identifiers alone, names that sound alike, and names,
    birth dates and addresses two at a time (so a name replaced outright is still met)."""
    pairs = [
        ("email",), ("phones",), ("cpf",), ("mailbox:email",), ("sound:names",), ("sound:all",),
        ("starts:names", "city"), ("starts:names", "year:birth_date"),
        ("first_name", "first3:last_name"), ("first3:first_name", "last_name"),
        ("birth_date", "postal_code"), ("birth_date", "city"), ("birth_date", "initial:first_name"),
        ("birth_date", "initial:last_name"), ("birth_date", "number"),
        ("postal_code", "number"), ("street", "number"), ("first_name", "postal_code"),
        ("last_name", "postal_code"), ("last_name", "year:birth_date"),
        ("first_name", "year:birth_date"), ("first_name", "city"), ("last_name", "city"),
    ]  # fmt: skip
    return [Rule(p) for p in pairs] + [Rule((key,)) for key in identifiers]


def company_rules(identifiers: list[str]) -> list[Rule]:
    """The rules tried on companies: documents, domains, mailboxes and phones alone, names that
    sound alike, and name or address parts two at a time."""
    pairs = [
        ("cnpj",), ("email",), ("domain",), ("phones",), ("sound:names",), ("name",),
        ("legal_name",), ("first3:name", "city"), ("postal_code", "number"),
        ("street", "number"), ("first3:name", "postal_code"), ("name", "state"),
    ]  # fmt: skip
    return [Rule(p) for p in pairs] + [Rule((key,)) for key in identifiers]


def _recode(values: list[Any]) -> np.ndarray:
    vocab: dict[Any, int] = {}
    return np.fromiter(
        (vocab.setdefault(v, len(vocab)) if v else -1 for v in values),
        dtype=np.int64,
        count=len(values),
    )


def _phonetic_words(words: list[str], cache: dict[str, str]) -> list[str]:
    out = []
    for word in words:
        found = cache.get(word)
        if found is None:
            found = cache[word] = norm.phonetic(word)
        out.append(found)
    return out


def _by_record(table: Table, key: str, per_code: list[Any], missing: Any) -> list[Any]:
    """``per_code`` spread to the records (``missing`` where a record has no value)."""
    return [per_code[c] if c >= 0 else missing for c in table.codes[key].tolist()]


def _ranks(table: Table, word: Callable[[list[str]], str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Per record, ``word`` of its first-name and of its last-name words as ids in one sorted
    vocabulary (id order is string order), and the id of the empty string. Each distinct name
    is read once, not once per record."""
    first = [word((v or "").split()) for v in table.by_code("first_name").tolist()]
    last = [word((v or "").split()) for v in table.by_code("last_name").tolist()]
    rank = {v: k for k, v in enumerate(sorted(set(first) | set(last) | {""}))}
    ids = []
    for key, values in (("first_name", first), ("last_name", last)):
        per_code = np.fromiter((rank[v] for v in values), dtype=np.int64, count=len(values))
        codes = table.codes[key]
        out = np.full(len(codes), rank[""], dtype=np.int64)
        present = codes >= 0
        out[present] = per_code[codes[present]]
        ids.append(out)
    return ids[0], ids[1], rank[""]


def _unordered(a: np.ndarray, b: np.ndarray, keep: np.ndarray) -> np.ndarray:
    low, high = np.minimum(a, b), np.maximum(a, b)
    return _compact(np.where(keep, low * (int(high.max(initial=0)) + 1) + high, -1))


def _sound(table: Table) -> np.ndarray:
    """Names that sound alike, in either order: the phonetic keys of the first word of each
    name field, sorted; none when the first name has a key and the last has none (companies:
    of the first two words of the name)."""
    cache: dict[str, str] = {}
    if "first_name" in table.values:
        a, b, empty = _ranks(table, lambda w: _phonetic_words(w[:1], cache)[0] if w else "")
        return _unordered(a, b, ~((b == empty) & (a != empty)))
    per_code = [
        " ".join(_phonetic_words(n.split()[:2], cache)) if n else None
        for n in table.by_code("name").tolist()
    ]
    return _recode(_by_record(table, "name", per_code, None))


def _both_names(table: Table) -> np.ndarray:
    return (table.codes["first_name"] >= 0) & (table.codes["last_name"] >= 0)


def _all_sounds(table: Table) -> np.ndarray:
    """Every word of both name fields, phonetic and sorted: "João Pedro | Nunes Duarte" meets
    "Nunes Duarte | João Pedro" and "Pedro João | Nunes Duarte". Worked out once per distinct
    pair of names."""
    cache: dict[str, str] = {}
    first = [_phonetic_words((v or "").split(), cache) for v in table.by_code("first_name")]
    last = [_phonetic_words((v or "").split(), cache) for v in table.by_code("last_name")]
    both = np.flatnonzero(_both_names(table))
    cf, cl = table.codes["first_name"][both], table.codes["last_name"][both]
    combined = cf.astype(np.int64) * (len(last) + 1) + cl
    distinct, inverse = np.unique(combined, return_inverse=True)
    keys = _recode(
        [
            tuple(sorted(first[c // (len(last) + 1)] + last[c % (len(last) + 1)]))
            for c in distinct.tolist()
        ]
    )
    out = np.full(len(table), -1, dtype=np.int64)
    out[both] = keys[inverse]
    return out


def _starts(table: Table) -> np.ndarray:
    """The first three letters of the first word of each name field, sorted: a typo after
    them, with the names swapped or not, keeps the key."""
    a, b, _empty = _ranks(table, lambda w: w[0][:3] if w else "")
    return _unordered(a, b, _both_names(table))


_DERIVED: dict[str, Callable[[str], str]] = {
    "first3": lambda v: v[:3],
    "initial": lambda v: v[:1],
    "year": lambda v: v[:4],
}


@dataclass
class Keys:
    """Key parts of one table, computed once and shared by the rules."""

    table: Table
    cache: dict[str, np.ndarray] = field(default_factory=dict)

    def part(self, part: str) -> np.ndarray:
        if part not in self.cache:
            self.cache[part] = self._compute(part)
        return self.cache[part]

    def _compute(self, part: str) -> np.ndarray:
        table = self.table
        if part == "sound:names":
            return _sound(table)
        if part == "sound:all":
            return _all_sounds(table)
        if part == "starts:names":
            return _starts(table)
        prefix, _sep, key = part.partition(":")
        if prefix == "mailbox":
            return table.extra[key].astype(np.int64)
        if prefix in _DERIVED:
            shorten = _DERIVED[prefix]
            return _recode([shorten(v) if v else None for v in table.values[key].tolist()])
        return table.codes[part].astype(np.int64)

    def fill(self, rule: Rule) -> float:
        """The share of records having every part of ``rule``."""
        if rule.parts == ("phones",):
            return self.table.fill_rate("phones")
        ok = np.ones(len(self.table), dtype=bool)
        for part in rule.parts:
            ok &= self.part(part) >= 0
        return float(ok.mean()) if len(ok) else 0.0

    def codes(self, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
        """``(record indices, key codes)`` of the records having the rule's key (a record with
        two phones appears twice)."""
        n = len(self.table)
        if rule.parts == ("phones",):
            first = self.table.codes["phones"].astype(np.int64)
            second = self.table.extra["phones"].astype(np.int64)
            records = np.concatenate([np.arange(n), np.arange(n)])
            codes = np.concatenate([first, second])
        else:
            records = np.arange(n)
            codes = self.part(rule.parts[0]).copy()
            for part in rule.parts[1:]:
                other = self.part(part)
                missing = (codes < 0) | (other < 0)
                codes = codes * (int(other.max()) + 1) + other
                codes[missing] = -1
                codes = _compact(codes)
        keep = codes >= 0
        if self.table.active is not None:
            keep &= self.table.active[records]
        return records[keep], codes[keep]


def _compact(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered 0..k-1 (``-1`` kept), so that combining more parts cannot overflow."""
    out = np.full(len(codes), -1, dtype=np.int64)
    present = codes >= 0
    if present.any():
        out[present] = np.unique(codes[present], return_inverse=True)[1]
    return out


def _groups(records: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(codes, kind="stable")
    members = records[order]
    sorted_codes = codes[order]
    if not len(members):
        return members, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(members)])
    return members, starts, sizes


def comparisons(records: np.ndarray, codes: np.ndarray, cap: int = CAP) -> tuple[int, int]:
    """``(pairs the rule's blocks hold up to cap, blocks skipped as bigger than cap)``."""
    _members, _starts, sizes = _groups(records, codes)
    kept = sizes[(sizes >= 2) & (sizes <= cap)]
    return int((kept * (kept - 1) // 2).sum()), int((sizes > cap).sum())


def _pair_chunks(records: np.ndarray, codes: np.ndarray, n: int, cap: int) -> Iterator[np.ndarray]:
    """The pairs within each block of 2..``cap`` records as ``low * n + high`` codes, a block
    size at a time (blocks of one size make one matrix)."""
    members, starts, sizes = _groups(records, codes)
    for size in np.unique(sizes):
        if size < 2 or size > cap:
            continue
        begin = starts[sizes == size]
        matrix = members[begin[:, None] + np.arange(size)]
        a, b = np.triu_indices(int(size), 1)
        left, right = matrix[:, a].ravel(), matrix[:, b].ravel()
        del matrix
        low, high = np.minimum(left, right), np.maximum(left, right)
        del left, right
        keep = low != high
        low *= n
        low += high
        yield low[keep] if not keep.all() else low


def block_pairs(records: np.ndarray, codes: np.ndarray, n: int, cap: int = CAP) -> np.ndarray:
    """Every pair within each block of 2..``cap`` records, as ``low * n + high`` codes."""
    out = list(_pair_chunks(records, codes, n, cap))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


@dataclass
class Blocking:
    """The chosen rules, the candidate pairs ``left < right`` and, per pair, a bit per rule that
    found it; ``report``: per rule tried, whether it was used and why."""

    rules: list[Rule]
    left: np.ndarray
    right: np.ndarray
    bits: np.ndarray
    report: list[dict[str, Any]]


def block(
    table: Table,
    rules: list[Rule],
    *,
    cap: int = CAP,
    budget: int | None = None,
    min_fill: float = MIN_FILL,
) -> Blocking:
    """Choose among ``rules`` from what the table fills and what each would cost, and return the
    candidate pairs. ``budget``: the most comparisons one rule may add (default 10 per record,
    at least 100,000)."""
    n = len(table)
    budget = budget if budget is not None else max(100_000, 10 * n)
    keys = Keys(table)
    chosen: list[Rule] = []
    costs: list[int] = []
    report: list[dict[str, Any]] = []
    for rule in rules:
        if any(_field_of(p) not in table.codes for p in rule.parts if p not in _NAME_PARTS):
            continue
        if (
            _NAME_PARTS & set(rule.parts)
            and "first_name" not in table.codes
            and (set(rule.parts) - {"sound:names"})
        ):
            continue
        fill = keys.fill(rule)
        entry: dict[str, Any] = {"rule": rule.name, "fill": round(fill, 4)}
        report.append(entry)
        if fill < min_fill:
            entry["used"], entry["why"] = False, "rarely_filled"
            continue
        cost, skipped = comparisons(*keys.codes(rule), cap)
        entry.update(comparisons=cost, skipped_blocks=skipped)
        if cost > budget:
            entry["used"], entry["why"] = False, "too_broad"
            continue
        if len(chosen) >= MAX_RULES:
            entry["used"], entry["why"] = False, "too_many_rules"
            continue
        entry["used"] = True
        chosen.append(rule)
        costs.append(cost)
    return _union(keys, chosen, costs, cap, report)


MAX_RULES = 32  # a pair's rules are bits of a uint32


STEP = 1 << 22  # packed pairs read at a time when the rules' pairs are merged


def _union(
    keys: Keys, chosen: list[Rule], costs: list[int], cap: int, report: list[dict[str, Any]]
) -> Blocking:
    """Every pair some chosen rule finds, once, with a bit per rule that found it. The pairs of
    all rules go into one preallocated array as ``pair * 64 + rule``, sorted in place, then read
    :data:`STEP` at a time into the pairs and their bits: memory stays about 8 bytes per pair
    a rule finds plus 12 per distinct pair."""
    n = len(keys.table)
    packed = np.empty(sum(costs), dtype=np.int64)
    filled = 0
    for index, rule in enumerate(chosen):
        for found in _pair_chunks(*keys.codes(rule), n, cap):
            end = filled + len(found)
            np.multiply(found, 64, out=packed[filled:end])
            packed[filled:end] += index
            filled = end
    packed = packed[:filled]
    packed.sort()
    left, right, bits = _distinct_pairs(packed, n)
    return Blocking(chosen, left, right, bits, report)


def _distinct_pairs(packed: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From sorted ``pair * 64 + rule`` codes: the distinct pairs ``(left, right)`` and the
    bits of the rules that found each, a chunk at a time (a pair's codes may straddle two
    chunks: the second ORs its bits into the pair already written)."""
    distinct, previous = 0, -1
    for start in range(0, len(packed), STEP):
        pair = packed[start : start + STEP] >> 6
        distinct += int(np.count_nonzero(pair[1:] != pair[:-1])) + int(pair[0] != previous)
        previous = int(pair[-1])
    left = np.empty(distinct, dtype=np.int32)
    right = np.empty(distinct, dtype=np.int32)
    bits = np.zeros(distinct, dtype=np.uint32)
    written, previous = 0, -1
    for start in range(0, len(packed), STEP):
        chunk = packed[start : start + STEP]
        pair = chunk >> 6
        rule_bit = np.left_shift(np.uint32(1), (chunk & 63).astype(np.uint32))
        new = np.empty(len(pair), dtype=bool)
        new[0] = pair[0] != previous
        np.not_equal(pair[1:], pair[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        if not new[0]:
            starts = np.r_[0, starts]
        merged = np.bitwise_or.reduceat(rule_bit, starts)
        if not new[0]:
            bits[written - 1] |= merged[0]
            merged, starts = merged[1:], starts[1:]
        end = written + len(starts)
        first = pair[starts]
        left[written:end] = first // n
        right[written:end] = first % n
        bits[written:end] = merged
        written, previous = end, int(pair[-1])
    return left, right, bits


def _field_of(part: str) -> str:
    prefix, _sep, key = part.partition(":")
    return key if prefix in _PREFIXES else part


def _masked_sum(weight: np.ndarray, mask: np.ndarray) -> float:
    return float(weight.sum(where=mask, dtype=np.float64))


def estimate_recall(bits: np.ndarray, weight: np.ndarray, rules: int) -> dict[str, Any]:
    """How many of the true matches the rules find, estimated from the scored pairs.

    ``weight``: each pair's match probability. For each rule, capture-recapture against the
    other rules together (Lincoln-Petersen: ``N ≈ n_rule · n_others / n_both``) estimates the
    number of matches; the largest estimate (the most cautious) gives the recall. Also the
    share of likely matches each rule finds."""
    total = float(weight.sum(dtype=np.float64))
    shares = []
    estimates = []
    for r in range(rules):
        mine = (bits >> np.uint32(r)) & np.uint32(1) == 1
        others = (bits & ~np.uint32(1 << r)) != 0
        # Sums without copies of the weights: a dot product with the mask.
        n_rule = _masked_sum(weight, mine)
        n_others = _masked_sum(weight, others)
        mine &= others
        n_both = _masked_sum(weight, mine)
        shares.append(round(n_rule / total, 4) if total else 0.0)
        if n_both >= 1.0 and n_rule >= 1.0 and n_others >= 1.0:
            estimates.append(n_rule * n_others / n_both)
    if not estimates or total < 1.0:
        return {"recall": None, "expected_matches": round(total, 1), "shares": shares}
    matches = max(max(estimates), total)
    return {
        "recall": round(total / matches, 4),
        "expected_matches": round(matches, 1),
        "shares": shares,
    }
