"""Duplicate detection over a whole workspace: blocking keys → scored pairs → clusters.

The matching core (:func:`person_record`, :func:`company_record`, :func:`find_pairs`) is pure
Python over plain tuples, so the product and ``bench/quality_dedupe.py`` run the same code.

How a pair is found and scored (docs/duplicates.md explains it for users):

1. *Blocking.* Each record gets a few keys: normalised email, email local part, phone digits,
   CPF/CNPJ, a Portuguese-aware phonetic key of the sorted first and last name tokens (alone
   and with the city). Only records sharing a key are compared; blocks larger than
   ``max_block`` carry no signal (a whole city of "Maria Silva") and are skipped.
2. *Scoring.* A logistic model over field evidence (weights in :data:`WEIGHTS`): name
   similarity (rapidfuzz token-sort/set ratio on accent-free names), same document, same email,
   same phone, same city, and negative evidence when both records have a document/email/phone
   /city and they differ. ``probability = 1 / (1 + e^-z)``.
3. *Clusters.* Union-find over the pairs at or above the review threshold.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

import jellyfish
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.quality.models.duplicates import (
    CandidateStatus,
    DedupeRun,
    DuplicateCandidate,
    DuplicateSettings,
    RecordType,
    RunStatus,
)
from vinculo.workspaces.permissions import require

# --- normalisation --------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e", "di", "du", "del"})
# Mailboxes shared by many people: their local part says nothing about who wrote.
_GENERIC_LOCAL = frozenset(
    {"contato", "contact", "info", "admin", "vendas", "sales", "suporte", "support", "financeiro",
     "comercial", "atendimento", "rh", "sac", "noreply", "no-reply", "email", "mail", "teste"}
)  # fmt: skip
_GMAIL = frozenset({"gmail.com", "googlemail.com"})


@lru_cache(maxsize=200_000)
def plain(text: str) -> str:
    """Lowercase, accents dropped, anything but letters and digits turned into single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", ascii_text).strip()


_PT_RULES = (
    ("ph", "f"), ("lh", "li"), ("nh", "ni"), ("ch", "x"), ("sh", "x"), ("th", "t"),
    ("y", "i"), ("w", "v"), ("k", "c"), ("ss", "s"), ("sc", "s"), ("qu", "c"), ("gu", "g"),
    ("z", "s"),
)  # fmt: skip


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """A Portuguese-aware phonetic key: spelling variants that sound alike in Brazilian
    Portuguese (ph/f, lh/li, y/i, z/s, silent initial h, doubled letters) are folded first,
    then jellyfish's metaphone keeps the consonant skeleton."""
    word = token
    for old, new in _PT_RULES:
        word = word.replace(old, new)
    word = word.lstrip("h")
    word = re.sub(r"(.)\1+", r"\1", word)
    return jellyfish.metaphone(word) or word


def normal_email(value: str) -> tuple[str, str]:
    """``(address, local part)``: lowercase, ``+tags`` dropped, Gmail dots ignored."""
    value = (value or "").strip().lower()
    if "@" not in value:
        return "", ""
    local, _sep, domain = value.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}", local


def phone_digits(value: str) -> str:
    """The last 10 digits: the same line written with or without +55, a leading 0 or
    punctuation gives the same key (stored phones are already E.164)."""
    digits = "".join(c for c in value or "" if c.isdigit())
    return digits[-10:] if len(digits) >= 8 else ""


def name_tokens(*parts: str) -> list[str]:
    return [t for t in plain(" ".join(p for p in parts if p)).split() if t not in _PARTICLES]


# --- records --------------------------------------------------------------------------------


@dataclass(slots=True)
class Rec:
    """What the matcher needs of one person or company."""

    id: int
    name: str  # sorted accent-free tokens
    email: str
    local: str
    phones: frozenset[str]
    doc: str
    city: str
    keys: tuple[str, ...]


PERSON_COLUMNS = ("id", "first_name", "last_name", "email", "phone", "mobile_phone", "cpf", "city")
COMPANY_COLUMNS = ("id", "name", "legal_name", "email", "phone", "cnpj", "city", "domain")


def _name_keys(tokens: list[str], city: str) -> list[str]:
    if not tokens:
        return []
    sounds = [phonetic(t) for t in tokens[:4]]
    # Every pair of name tokens, unordered: "Silva Maria" meets "Maria Silva", and "Ana Laura
    # Pastor" meets "Pastor Ana Laura" however the names were split between the two fields.
    keys = {f"n:{a}+{b}" if a <= b else f"n:{b}+{a}" for a, b in combinations(sounds, 2)}
    if len(tokens) == 1:
        keys.add(f"n:{sounds[0]}")
    first, last = tokens[0], tokens[-1]
    ends = "+".join(sorted({sounds[0], sounds[-1]}))
    if city:
        keys.add(f"nc:{ends}|{city}")
    if len(tokens) >= 2:
        # A typo changes the sound of one token: keep one token whole and the other's first
        # three letters, both ways round.
        keys.add("t:" + "+".join(sorted((first, last[:3]))))
        keys.add("t:" + "+".join(sorted((first[:3], last))))
    return sorted(keys)


def person_record(row: tuple[Any, ...]) -> Rec:
    """A :class:`Rec` from a row in :data:`PERSON_COLUMNS` order."""
    pk, first, last, email, phone, mobile, cpf, city = row
    tokens = name_tokens(first, last)
    address, local = normal_email(email)
    phones = frozenset(p for p in (phone_digits(phone), phone_digits(mobile)) if p)
    city = plain(city)
    keys = _name_keys(tokens, city)
    if address:
        keys.append(f"e:{address}")
        if len(local) >= 5 and local not in _GENERIC_LOCAL:
            keys.append(f"l:{local}")
    keys.extend(f"p:{p}" for p in phones)
    if cpf:
        keys.append(f"d:{cpf}")
    return Rec(pk, " ".join(sorted(tokens)), address, local, phones, cpf or "", city, tuple(keys))


_COMPANY_SUFFIXES = frozenset({"ltda", "me", "epp", "sa", "eireli", "s", "a", "cia", "inc", "mei"})


def company_record(row: tuple[Any, ...]) -> Rec:
    """A :class:`Rec` from a row in :data:`COMPANY_COLUMNS` order."""
    pk, name, legal, email, phone, cnpj, city, domain = row
    tokens = [t for t in name_tokens(name or legal) if t not in _COMPANY_SUFFIXES]
    address, local = normal_email(email)
    phones = frozenset(p for p in (phone_digits(phone),) if p)
    city = plain(city)
    keys = _name_keys(tokens, city)
    if len(tokens) >= 1:
        keys.append(f"cn:{' '.join(sorted(tokens))}")
    if address:
        keys.append(f"e:{address}")
    domain = (domain or "").lower().removeprefix("www.")
    if domain:
        keys.append(f"w:{domain}")
    keys.extend(f"p:{p}" for p in phones)
    if cnpj:
        keys.append(f"d:{cnpj}")
    return Rec(pk, " ".join(sorted(tokens)), address, local, phones, cnpj or "", city, tuple(keys))


# --- scoring --------------------------------------------------------------------------------

# z = BIAS + sum(evidence); probability = logistic(z). Tuned on bench/quality_dedupe.py's
# generator but kept to rules that hold for any CRM: a shared document, mailbox or phone line is
# strong evidence; a different document is strong counter-evidence; names decide the rest.
WEIGHTS = {
    "bias": -4.5,
    "name_slope": 12.0,  # per unit of name similarity above NAME_PIVOT (below: against)
    "same_doc": 8.0,
    "other_doc": -8.0,
    "same_email": 6.0,
    "same_local": 2.0,
    "other_email": -0.5,
    "same_phone": 6.0,
    "other_phone": -0.5,
    "same_city": 2.0,
    "other_city": -1.0,
    "no_name": -1.0,
    "rare_name": 2.5,  # divided by the number of other records with the same name
}
NAME_PIVOT = 0.8


def score(a: Rec, b: Rec, namesakes: int = 2) -> tuple[float, list[dict[str, Any]]]:
    """The match probability of two records and the reasons behind it (codes + figures).

    ``namesakes``: how many records of the workspace bear this exact name; a name borne by
    these two records only is evidence, a name borne by fifty is not.
    """
    w = WEIGHTS
    z = w["bias"]
    reasons: list[dict[str, Any]] = []
    if a.name and b.name:
        similarity = (
            max(fuzz.ratio(a.name, b.name), 0.92 * fuzz.token_set_ratio(a.name, b.name)) / 100.0
        )
        z += w["name_slope"] * (similarity - NAME_PIVOT)
        if similarity >= 0.9:
            z += w["rare_name"] / max(1, namesakes - 1)
        if similarity >= 0.7:
            code = "same_name" if similarity >= 0.999 else "names_alike"
            reasons.append({"code": code, "percent": round(similarity * 100)})
    else:
        z += w["no_name"]
    if a.doc and b.doc:
        if a.doc == b.doc:
            z += w["same_doc"]
            reasons.append({"code": "same_document"})
        else:
            z += w["other_doc"]
            reasons.append({"code": "different_document"})
    if a.email and b.email:
        if a.email == b.email:
            z += w["same_email"]
            reasons.append({"code": "same_email"})
        elif a.local == b.local and len(a.local) >= 5 and a.local not in _GENERIC_LOCAL:
            z += w["same_local"]
            reasons.append({"code": "same_email_name"})
        else:
            z += w["other_email"]
    if a.phones and b.phones:
        if a.phones & b.phones:
            z += w["same_phone"]
            reasons.append({"code": "same_phone"})
        else:
            z += w["other_phone"]
    if a.city and b.city:
        if a.city == b.city:
            z += w["same_city"]
            reasons.append({"code": "same_city"})
        else:
            z += w["other_city"]
    return 1.0 / (1.0 + math.exp(-z)), reasons


@dataclass
class Match:
    left: int
    right: int
    probability: float
    reasons: list[dict[str, Any]]


def find_pairs(
    records: Iterable[Rec],
    *,
    threshold: float = 0.5,
    max_block: int = 40,
    progress: Callable[[int], None] | None = None,
) -> list[Match]:
    """Every pair sharing a blocking key scored once; those at or above ``threshold`` returned.

    Blocks bigger than ``max_block`` are skipped: they would cost n² comparisons and say nothing.
    """
    by_id: dict[int, Rec] = {}
    blocks: dict[int, list[int]] = defaultdict(list)
    name_count: dict[str, int] = defaultdict(int)
    for count, rec in enumerate(records, 1):
        by_id[rec.id] = rec
        name_count[rec.name] += 1
        for key in rec.keys:
            # Hashes, not strings, as dictionary keys: a million records make ten million keys.
            blocks[hash(key)].append(rec.id)
        if progress is not None and count % 5000 == 0:
            progress(count)
    seen: set[tuple[int, int]] = set()
    matches: list[Match] = []
    for members in blocks.values():
        size = len(members)
        if size < 2 or size > max_block:
            continue
        for i in range(size):
            a = members[i]
            for j in range(i + 1, size):
                b = members[j]
                pair = (a, b) if a < b else (b, a)
                if pair in seen:
                    continue
                seen.add(pair)
                left, right = by_id[pair[0]], by_id[pair[1]]
                namesakes = max(name_count[left.name], name_count[right.name])
                probability, reasons = score(left, right, namesakes)
                if probability >= threshold:
                    matches.append(Match(pair[0], pair[1], probability, reasons))
    return matches


def clusters(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Union-find: each record id → its cluster id (the smallest id in its cluster)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in list(parent)}


# --- reasons, in words ----------------------------------------------------------------------


def reason_text(reason: dict[str, Any]) -> str:
    """A stored reason (``{"code": …}``) as a sentence in the active language."""
    code = reason.get("code")
    if code == "names_alike":
        return _("names %(percent)s%% alike") % {"percent": reason.get("percent", 0)}
    texts = {
        "same_name": _("same name"),
        "same_document": _("same CPF/CNPJ"),
        "different_document": _("different CPF/CNPJ"),
        "same_email": _("same email"),
        "same_email_name": _("same email name, other domain"),
        "same_phone": _("same phone"),
        "same_city": _("same city"),
    }
    return texts.get(str(code), str(code))


# --- services -------------------------------------------------------------------------------


def _check_type(object_type: str) -> str:
    if object_type not in RecordType.values:
        raise ValidationFailed.field(
            "object_type",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(RecordType.values)},
            "invalid_choice",
        )
    return object_type


def get_settings(actor: Actor) -> DuplicateSettings:
    """The workspace's thresholds (created with the defaults on first use)."""
    found, _created = DuplicateSettings.objects.get_or_create(workspace=actor.workspace)
    return found


def update_settings(*, actor: Actor, data: dict[str, Any]) -> DuplicateSettings:
    """Change the review and automatic-merge thresholds; refuses values outside 0.5 to 1 and an
    automatic threshold below the review threshold."""
    require(actor, "settings.manage")
    with transaction.atomic():
        current = get_settings(actor)
        before = {
            "review_threshold": current.review_threshold,
            "auto_merge_threshold": current.auto_merge_threshold,
        }
        errors = []
        values = dict(before)
        for name in before:
            if data.get(name) is None:
                continue
            try:
                value = float(data[name])
            except (TypeError, ValueError):
                value = -1.0
            if not 0.5 <= value <= 1.0:
                errors.append((name, _("Enter a number between 0.5 and 1.")))
                continue
            values[name] = value
        if not errors and values["auto_merge_threshold"] < values["review_threshold"]:
            errors.append(("auto_merge_threshold", _("Must not be below the review threshold.")))
        if errors:
            from vinculo.core.errors import FieldError

            raise ValidationFailed(
                errors[0][1], errors=[FieldError(f, m, "invalid") for f, m in errors]
            )
        for name, value in values.items():
            setattr(current, name, value)
        current.save()
        audit.record(
            actor, "duplicates.settings_changed", current, changes=audit.diff(before, values)
        )
    return current


def start_detection(*, actor: Actor, object_type: str, auto_merge: bool = False) -> DedupeRun:
    """Queue a detection run over the workspace's people or companies (a background task);
    ``auto_merge`` then merges every pair above the automatic threshold. Refuses viewers."""
    require(actor, "records.write")
    if auto_merge:
        require(actor, "records.delete")
    _check_type(object_type)
    from vinculo.quality.tasks.duplicates import detect_duplicates_task

    with transaction.atomic():
        run = DedupeRun.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            object_type=object_type,
            auto_merge=auto_merge,
        )
        audit.record(actor, "duplicates.detection_started", run)
        transaction.on_commit(lambda: detect_duplicates_task.enqueue(run.pk))
    return run


def _stream(actor: Actor, object_type: str) -> tuple[int, Iterator[Rec]]:
    from vinculo.quality.selectors.duplicates import live_rows

    total, rows = live_rows(actor, object_type)
    make = person_record if object_type == RecordType.PERSON else company_record
    return total, (make(row) for row in rows)


def detect_duplicates(*, actor: Actor, object_type: str, run: DedupeRun | None = None) -> DedupeRun:
    """Find duplicate candidates over the whole workspace and store them.

    Keeps earlier decisions: pairs marked "not a duplicate" or merged never come back, "later"
    pairs keep their status; open pairs not found again are removed. Refuses viewers.
    """
    require(actor, "records.write")
    _check_type(object_type)
    if run is None:
        run = DedupeRun.objects.create(
            workspace=actor.workspace, created_by=actor.user, object_type=object_type
        )
    thresholds = get_settings(actor)
    total, records = _stream(actor, object_type)
    run.status, run.total, run.started_at = RunStatus.RUNNING, total, timezone.now()
    run.save(update_fields=["status", "total", "started_at", "updated_at"])

    def progress(done: int) -> None:
        DedupeRun.objects.filter(pk=run.pk).update(done=done)

    matches = find_pairs(records, threshold=thresholds.review_threshold, progress=progress)
    cluster_of = clusters((m.left, m.right) for m in matches)
    with transaction.atomic():
        _store(actor, run, object_type, matches, cluster_of)
        run.status = RunStatus.DONE
        run.total = run.done = total
        run.pairs_found = len(matches)
        run.clusters_found = len(set(cluster_of.values()))
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor,
            "duplicates.detected",
            run,
            changes={"pairs": run.pairs_found, "clusters": run.clusters_found},
        )
    if run.auto_merge:
        from vinculo.quality.services.merge import auto_merge

        run.auto_merged = auto_merge(actor=actor, object_type=object_type)
        run.save(update_fields=["auto_merged", "updated_at"])
    return run


def _store(
    actor: Actor,
    run: DedupeRun,
    object_type: str,
    matches: list[Match],
    cluster_of: dict[int, int],
) -> None:
    existing = {
        (left, right): (pk, status)
        for pk, left, right, status in DuplicateCandidate.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type)
        .values_list("id", "left_id", "right_id", "status")
        .iterator(chunk_size=5000)
    }
    found: set[tuple[int, int]] = set()
    new: list[DuplicateCandidate] = []
    changed: list[DuplicateCandidate] = []
    for m in matches:
        pair = (m.left, m.right)
        found.add(pair)
        known = existing.get(pair)
        values = {
            "probability": round(m.probability, 4),
            "reasons": m.reasons,
            "cluster": cluster_of[m.left],
        }
        if known is None:
            new.append(
                DuplicateCandidate(
                    workspace=actor.workspace,
                    created_by=actor.user,
                    object_type=object_type,
                    left_id=m.left,
                    right_id=m.right,
                    run=run,
                    **values,
                )
            )
        elif known[1] in (CandidateStatus.OPEN, CandidateStatus.LATER):
            changed.append(DuplicateCandidate(pk=known[0], run=run, **values))
    stale = [
        pk
        for pair, (pk, status) in existing.items()
        if status == CandidateStatus.OPEN and pair not in found
    ]
    for start in range(0, len(stale), 900):
        DuplicateCandidate.objects.filter(pk__in=stale[start : start + 900]).delete()
    DuplicateCandidate.objects.bulk_create(new, batch_size=500)
    DuplicateCandidate.objects.bulk_update(
        changed, ["probability", "reasons", "cluster", "run"], batch_size=500
    )


def decide(*, actor: Actor, candidate_id: int, status: str) -> DuplicateCandidate:
    """Mark a candidate pair "not a duplicate", "later" or open again. Merging goes through
    :func:`vinculo.quality.services.merge.merge_records`. Refuses viewers and other workspaces."""
    require(actor, "records.write")
    allowed = (CandidateStatus.NOT_DUPLICATE, CandidateStatus.LATER, CandidateStatus.OPEN)
    if status not in allowed:
        raise ValidationFailed.field(
            "status",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)},
            "invalid_choice",
        )
    with transaction.atomic():
        candidate = (
            DuplicateCandidate.objects.for_workspace(actor.workspace)
            .select_for_update()
            .filter(pk=candidate_id)
            .first()
        )
        if candidate is None:
            raise NotFound(_("No duplicate pair with id %(id)s.") % {"id": candidate_id})
        if candidate.status == CandidateStatus.MERGED:
            raise ValidationFailed.field(
                "status", _("This pair was merged; undo the merge instead."), "merged"
            )
        before = candidate.status
        candidate.status = status
        candidate.reviewed_by = actor.user
        candidate.reviewed_at = timezone.now()
        candidate.save()
        audit.record(actor, "duplicates.decided", candidate, changes={"status": [before, status]})
    return candidate
