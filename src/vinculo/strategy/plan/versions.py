"""Versions of the plan: saving one freezes the whole tree (objectives, strategies, tactics with
their budgets and spend, the goals with their stored status) as JSON with a number and a note;
comparing two says which items were added, removed or changed, field by field.

The snapshot keeps codes, not words (``kind``, ``status``): labels are given when read."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.errors import collect
from vinculo.core.permissions import require
from vinculo.core.validators import clean_name
from vinculo.strategy.models import Plan, PlanVersion
from vinculo.strategy.plan import selectors
from vinculo.strategy.plan.cleaning import refuse
from vinculo.strategy.plan.present import tree_json
from vinculo.strategy.plan.services import ensure_plan

WORDED = {"why"}  # keys worded in the reader's language, left out of a snapshot
KINDS = ("objective", "strategy", "tactic", "goal")
SKIP = {"owner", "team", "budget", "strategies", "tactics", "goals"}


def _codes_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _codes_only(v)
            for k, v in value.items()
            if k not in WORDED and not k.endswith("_label")
        }
    if isinstance(value, list):
        return [_codes_only(v) for v in value]
    return value


def current_snapshot(actor: Actor) -> dict[str, Any]:
    """The plan as it stands, as a version would freeze it."""
    return _codes_only(tree_json(selectors.plan_tree(actor)))


def save_version(*, actor: Actor, note: Any = "") -> PlanVersion:
    """Freeze the plan as version N+1 with ``note`` (at most 300 characters)."""
    require(actor, "strategy.manage")
    errors: list = []
    text = collect(errors, clean_name, note, "note", max_length=300)
    refuse(errors)
    with transaction.atomic():
        plan = ensure_plan(actor)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        snapshot = current_snapshot(actor)
        plan.version += 1
        plan.save(update_fields=["version", "updated_at"])
        snapshot["plan"] |= {"version": plan.version, "title": plan.title}  # as stored
        found = PlanVersion.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            plan=plan,
            number=plan.version,
            note=text or "",
            snapshot=snapshot,
        )
        audit.record(actor, "plan.version_saved", found, changes={"number": [None, found.number]})
    return found


# --- comparing --------------------------------------------------------------------------------


def _flatten(snapshot: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """Every item of a snapshot by (kind, id): its own fields, without what nests in it."""
    items: dict[tuple[str, int], dict[str, Any]] = {}

    def own(row: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in SKIP} | extra

    for o in snapshot.get("objectives", []):
        items["objective", o["id"]] = own(o)
        for s in o.get("strategies", []):
            items["strategy", s["id"]] = own(s)
            for t in s.get("tactics", []):
                items["tactic", t["id"]] = own(t)
                for g in t.get("goals", []):
                    items["goal", g["id"]] = own(g, tactic_id=t["id"])
    for g in snapshot.get("goals_without_tactic", []):
        items["goal", g["id"]] = own(g, tactic_id=None)
    return items


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What changed from ``old`` to ``new`` (two snapshots): the items added, removed and
    changed (each changed field with its old and new value), by kind then title."""
    before, after = _flatten(old), _flatten(new)

    def key(item: dict[str, Any]) -> tuple[int, str, int]:
        return (KINDS.index(item["kind"]), str(item["title"]).casefold(), item["id"])

    added = [
        {"kind": k, "id": i, "title": after[k, i]["title"]}
        for (k, i) in after.keys() - before.keys()
    ]
    removed = [
        {"kind": k, "id": i, "title": before[k, i]["title"]}
        for (k, i) in before.keys() - after.keys()
    ]
    changed = []
    for k, i in before.keys() & after.keys():
        was, now = before[k, i], after[k, i]
        fields = [
            {"field": f, "old": was.get(f), "new": now.get(f)}
            for f in sorted(was.keys() | now.keys())
            if was.get(f) != now.get(f)
        ]
        if fields:
            changed.append({"kind": k, "id": i, "title": now["title"], "fields": fields})
    return {
        "added": sorted(added, key=key),
        "removed": sorted(removed, key=key),
        "changed": sorted(changed, key=key),
    }


def compare(actor: Actor, old_number: int, new_number: int | None) -> dict[str, Any]:
    """The changes from version ``old_number`` to ``new_number`` (None: the plan as it is)."""
    old = selectors.get_version(actor, old_number).snapshot
    new = (
        selectors.get_version(actor, new_number).snapshot
        if new_number is not None
        else current_snapshot(actor)
    )
    return {"from_number": old_number, "to_number": new_number} | diff(old, new)


def kind_label(kind: str) -> str:
    return {
        "objective": _("Objective"),
        "strategy": _("Strategy"),
        "tactic": _("Tactic"),
        "goal": _("Goal"),
    }[kind]
