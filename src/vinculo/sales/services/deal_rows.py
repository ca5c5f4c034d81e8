"""Building a new deal's rows from cleaned input, and what deal services share when they write:
the status a stage kind gives, tags, dated stage changes (one prepared INSERT for imports),
timeline summaries and event payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from vinculo.contacts.services import ensure_tags
from vinculo.core.actor import Actor
from vinculo.core.text import fold
from vinculo.sales.models import Deal, DealStatus, Stage, StageChange, StageKind
from vinculo.sales.services.lost_reasons import kept

STATUS_OF_KIND: dict[str, DealStatus] = {  # the status a deal takes in a stage of each kind
    StageKind.OPEN: DealStatus.OPEN,
    StageKind.WON: DealStatus.WON,
    StageKind.LOST: DealStatus.LOST,
}


@dataclass
class NewDeal:
    """A cleaned new deal: the unsaved row, then what is written once it has an id."""

    deal: Deal
    stage: Stage
    history: list[tuple[Stage, datetime]]
    items: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def stage_changes(self, actor: Actor) -> list[tuple[Any, ...]]:
        """One row per step of the history, in :data:`_CHANGE_COLUMNS` order (the first step
        has no ``from_stage``)."""
        rows = []
        previous: tuple[Stage, datetime] | None = None
        user_id = actor.user.pk if actor.user is not None else None
        for to_stage, at in self.history:
            rows.append(
                (
                    actor.workspace.pk,
                    user_id,
                    self.deal.pk,
                    to_stage.pipeline_id,
                    previous[0].pk if previous else None,
                    to_stage.pk,
                    at,
                    int((at - previous[1]).total_seconds()) if previous else None,
                    actor.source,
                )
            )
            previous = (to_stage, at)
        return rows


def build_deal(actor: Actor, out: dict[str, Any], now: datetime) -> NewDeal:
    """The unsaved deal for cleaned input, with its history (one step when none was given)."""
    stage: Stage = out["stage"]
    history: list[tuple[Stage, datetime]] = out.get("history") or []
    created_at = out.get("created_at") or (history[0][1] if history else now)
    if not history:
        history = [(stage, created_at)]
    entered_at = history[-1][1]
    status = STATUS_OF_KIND[stage.kind]
    deal = Deal(
        workspace_id=actor.workspace.pk,
        created_by_id=actor.user.pk if actor.user is not None else None,
        created_at=created_at,
        title=out["title"],
        pipeline_id=stage.pipeline_id,
        stage_id=stage.pk,
        status=status,
        amount=out["amount"],
        currency=out["currency"],
        expected_close_date=out.get("expected_close_date"),
        closed_at=entered_at if status != DealStatus.OPEN else None,
        stage_entered_at=entered_at,
        owner_id=out.get("owner_id"),
        person_id=out.get("person_id"),
        company_id=out.get("company_id"),
        lost_reason=out["lost"].reason if status == DealStatus.LOST else None,
        lost_note=out["lost"].note if status == DealStatus.LOST else "",
        source=out.get("source") or "",
        description=out.get("description") or "",
        custom_fields=out.get("custom_fields") or {},
    )
    return NewDeal(
        deal=deal,
        stage=stage,
        history=history,
        items=out.get("line_items") or [],
        tags=out.get("tags") or [],
    )


_CHANGE_COLUMNS = (
    "workspace_id", "created_by_id", "deal_id", "pipeline_id", "from_stage_id", "to_stage_id",
    "changed_at", "seconds_in_previous", "source", "created_at", "updated_at",
)  # fmt: skip


def insert_stage_changes(rows: list[tuple[Any, ...]]) -> None:
    """Append stage-change rows (from :meth:`NewDeal.stage_changes`) with one prepared INSERT.

    Imports write ~4 per deal; building model instances and the ORM's per-value compilation
    dominated the import time, and nothing needs these rows' ids back. Date-times are adapted
    the way the ORM adapts them.
    """
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(timezone.now())
    values = [(*r[:6], adapt(r[6]), *r[7:], stamp, stamp) for r in rows]
    quote = connection.ops.quote_name
    table = quote(StageChange._meta.db_table)
    columns = ", ".join(quote(c) for c in _CHANGE_COLUMNS)
    marks = ", ".join(["%s"] * len(_CHANGE_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (model names only)
    with connection.cursor() as cursor:
        for start in range(0, len(values), 2000):
            cursor.executemany(sql, values[start : start + 2000])


def set_tags(actor: Actor, deals_and_names: list[tuple[Deal, list[str]]]) -> None:
    """Tag each deal with its names (tags made when new; tags it has already are kept)."""
    tags = ensure_tags(actor, [n for _d, names in deals_and_names for n in names])
    through = Deal.tags.through
    through.objects.bulk_create(
        [
            through(deal_id=deal.pk, tag_id=tags[fold(name)].pk)
            for deal, names in deals_and_names
            for name in names
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Summaries:
    """Timeline lines: a message and its parameters, worded when read (``timeline.record``)."""

    created = gettext_noop("Deal %(title)s created in %(stage)s")
    won = gettext_noop("Deal %(title)s won (%(from)s → %(to)s)")
    lost = gettext_noop("Deal %(title)s lost (%(from)s → %(to)s): %(reason)s")
    moved = gettext_noop("Deal %(title)s moved from %(from)s to %(to)s")

    def stage_changed(self, deal: Deal, from_stage: Stage | None, to_stage: Stage) -> Any:
        """``summary`` and ``params`` of ``timeline.record``/``PendingEntry``."""
        names = {"title": deal.title, "from": from_stage.name if from_stage else "—"}
        names["to"] = to_stage.name
        if to_stage.kind == StageKind.WON:
            return {"summary": self.won, "params": names}
        if to_stage.kind == StageKind.LOST:
            return {"summary": self.lost, "params": {**names, "reason": kept(deal)}}
        return {"summary": self.moved, "params": names}


def created_payload(deal: Deal) -> dict[str, Any]:
    """The ``deal.created`` event's payload (also the audit entry's changes)."""
    return {
        "title": deal.title,
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "status": deal.status,
        "owner_id": deal.owner_id,
        "person_id": deal.person_id,
        "company_id": deal.company_id,
    }
