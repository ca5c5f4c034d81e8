"""Every write on pipelines, stages and products (C2). Deals live in :mod:`vinculo.sales.deals`.

Each service runs in one transaction: check permission, validate (every bad field at once),
write, audit, domain event. The deal services are re-exported here, so callers import one module:
``from vinculo.sales import services``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.activities import timeline
from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from vinculo.core.text import fold, name_taken
from vinculo.core.validators import clean_currency, clean_decimal, clean_name
from vinculo.sales.lost_reasons import pipeline_for_update, seed_defaults
from vinculo.sales.models import Deal, Pipeline, Product, Stage, StageChange, StageKind
from vinculo.sales.validation import ZERO, clean_int, collect, raise_if
from vinculo.workspaces.models import Workspace
from vinculo.workspaces.permissions import require

# --- pipelines --------------------------------------------------------------------------------

# Default pipeline per interface language: (name, [(stage, probability, kind, rotting days)]).
_DEFAULT_PIPELINES: dict[str, tuple[str, list[tuple[str, int, str, int | None]]]] = {
    "pt": (
        "Vendas",
        [
            ("Qualificação", 10, StageKind.OPEN, 14),
            ("Reunião", 25, StageKind.OPEN, 14),
            ("Proposta", 50, StageKind.OPEN, 21),
            ("Negociação", 75, StageKind.OPEN, 30),
            ("Ganho", 100, StageKind.WON, None),
            ("Perdido", 0, StageKind.LOST, None),
        ],
    ),
    "en": (
        "Sales",
        [
            ("Qualification", 10, StageKind.OPEN, 14),
            ("Meeting", 25, StageKind.OPEN, 14),
            ("Proposal", 50, StageKind.OPEN, 21),
            ("Negotiation", 75, StageKind.OPEN, 30),
            ("Won", 100, StageKind.WON, None),
            ("Lost", 0, StageKind.LOST, None),
        ],
    ),
}


def _default_template(workspace: Workspace) -> tuple[str, list[dict[str, Any]]]:
    language = "pt" if (workspace.locale or "pt").lower().startswith("pt") else "en"
    name, stages = _DEFAULT_PIPELINES[language]
    return name, [
        {"name": n, "probability": p, "kind": k, "rotting_days": r} for n, p, k, r in stages
    ]


def _live_pipelines(workspace: Workspace) -> Any:
    return Pipeline.objects.for_workspace(workspace).filter(archived_at__isnull=True)


def ensure_default_pipeline(*, actor: Actor) -> Pipeline:
    """The workspace's default pipeline, created ("Vendas"/"Sales" with six stages) if it has none.

    Idempotent. When live pipelines exist but none is the default, the first becomes the default.
    Any member who may see records may trigger it (creating a deal needs a pipeline).
    """
    require(actor, "records.view")
    default = _live_pipelines(actor.workspace).filter(is_default=True).first()
    if default is not None:
        return default
    with transaction.atomic():
        # Serialise concurrent first calls on the workspace row so only one pipeline appears.
        Workspace.objects.select_for_update().filter(pk=actor.workspace.pk).first()
        live = _live_pipelines(actor.workspace)
        default = live.filter(is_default=True).first()
        if default is not None:
            return default
        first = live.order_by("position", "id").first()
        if first is not None:
            first.is_default = True
            first.save(update_fields=["is_default", "updated_at"])
            audit.record(actor, "pipeline.updated", first, changes={"is_default": [False, True]})
            events.emit(
                "pipeline.updated",
                actor=actor,
                subject=first,
                payload={"changes": {"is_default": [False, True]}},
            )
            return first
        name, stages = _default_template(actor.workspace)
        return _create_pipeline(actor, name=name, stages=stages, is_default=True)


def _clean_stage_fields(
    data: dict[str, Any], prefix: str, errors: list[FieldError], *, creating: bool
) -> dict[str, Any]:
    """Clean a stage's own fields; ``prefix`` is ``""`` or ``"stages.3."`` for messages."""
    cleaned: dict[str, Any] = {}
    if "name" in data or creating:
        name = collect(
            errors, clean_name, data.get("name"), f"{prefix}name", required=True, max_length=100
        )
        if name is not None:
            cleaned["name"] = name
    if "kind" in data or creating:
        kind = data.get("kind") or StageKind.OPEN
        if kind not in StageKind.values:
            errors.append(
                FieldError(
                    f"{prefix}kind",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(StageKind.values)},
                    "invalid_choice",
                )
            )
        else:
            cleaned["kind"] = kind
    if data.get("probability") is not None:
        probability = clean_int(
            data["probability"], f"{prefix}probability", errors, minimum=0, maximum=100
        )
        if probability is not None:
            cleaned["probability"] = probability
    elif creating:
        kind = cleaned.get("kind")
        cleaned["probability"] = 100 if kind == StageKind.WON else 0
    if "rotting_days" in data:
        if data["rotting_days"] in (None, "", 0):
            cleaned["rotting_days"] = None
        else:
            days = clean_int(
                data["rotting_days"], f"{prefix}rotting_days", errors, minimum=1, maximum=3650
            )
            if days is not None:
                cleaned["rotting_days"] = days
    return cleaned


def _composition_error(kinds: list[str], field: str) -> FieldError | None:
    """A pipeline keeps at least one open, one won and one lost stage."""
    missing = [k for k in StageKind.values if k not in kinds]
    if not missing:
        return None
    return FieldError(
        field,
        _("A pipeline needs at least one open, one won and one lost stage (missing: %(kinds)s).")
        % {"kinds": ", ".join(missing)},
        "pipeline_composition",
    )


def _clean_pipeline_name(
    actor: Actor, value: Any, errors: list[FieldError], *, exclude_pk: int | None = None
) -> str | None:
    name = collect(errors, clean_name, value, "name", required=True, max_length=100)
    if name is None:
        return None
    taken = _live_pipelines(actor.workspace)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if name_taken(taken, name):
        errors.append(FieldError("name", _("A pipeline with this name exists."), "unique"))
        return None
    return name


def _clean_stage_list(stages: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    if not isinstance(stages, list) or not stages:
        errors.append(FieldError("stages", _("Send a non-empty list of stages."), "required"))
        return []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(stages):
        if not isinstance(raw, dict):
            errors.append(FieldError(f"stages.{i}", _("Send an object."), "invalid_type"))
            continue
        stage = _clean_stage_fields(raw, f"stages.{i}.", errors, creating=True)
        name = stage.get("name")
        if name is not None:
            if fold(name) in seen:
                errors.append(
                    FieldError(f"stages.{i}.name", _("Stage names must be unique."), "unique")
                )
            seen.add(fold(name))
        cleaned.append(stage)
    if not errors:
        problem = _composition_error([s["kind"] for s in cleaned], "stages")
        if problem:
            errors.append(problem)
    return cleaned


def create_pipeline(*, actor: Actor, data: dict[str, Any]) -> Pipeline:
    """Create a pipeline with its stages (``data``: name, stages, is_default).

    Without ``stages`` it gets the default stages. Refuses an empty or taken name, bad stages
    (probability outside 0-100, duplicate names) and a list lacking an open, won or lost stage.
    """
    require(actor, "settings.manage")
    errors: list[FieldError] = []
    name = _clean_pipeline_name(actor, data.get("name"), errors)
    raw_stages = data.get("stages")
    if raw_stages is None:
        stages = _default_template(actor.workspace)[1]
    else:
        stages = _clean_stage_list(raw_stages, errors)
    raise_if(errors)
    with transaction.atomic():
        is_default = (
            bool(data.get("is_default"))
            or not _live_pipelines(actor.workspace).filter(is_default=True).exists()
        )
        return _create_pipeline(actor, name=name or "", stages=stages, is_default=is_default)


def _create_pipeline(
    actor: Actor, *, name: str, stages: list[dict[str, Any]], is_default: bool
) -> Pipeline:
    workspace = actor.workspace
    if is_default:
        Pipeline.objects.for_workspace(workspace).filter(is_default=True).update(is_default=False)
    top = Pipeline.objects.for_workspace(workspace).aggregate(m=Max("position"))["m"]
    pipeline = Pipeline.objects.create(
        workspace=workspace,
        created_by=actor.user,
        name=name,
        is_default=is_default,
        position=0 if top is None else top + 1,
    )
    Stage.objects.bulk_create(
        [
            Stage(
                workspace=workspace,
                created_by=actor.user,
                pipeline=pipeline,
                position=i,
                name=s["name"],
                kind=s["kind"],
                probability=s["probability"],
                rotting_days=s.get("rotting_days"),
            )
            for i, s in enumerate(stages)
        ]
    )
    seed_defaults(actor, pipeline)
    names = [s["name"] for s in stages]
    audit.record(
        actor, "pipeline.created", pipeline, changes={"name": [None, name], "stages": [None, names]}
    )
    events.emit(
        "pipeline.created",
        actor=actor,
        subject=pipeline,
        payload={"name": name, "stages": names, "is_default": is_default},
    )
    return pipeline


def update_pipeline(*, actor: Actor, pipeline_id: int, data: dict[str, Any]) -> Pipeline:
    """Rename a pipeline, make it the default, or archive/unarchive it (``archived``: bool).

    Refuses a taken name, unsetting the default directly (make another one the default), making
    an archived pipeline the default, and archiving the default pipeline.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        errors: list[FieldError] = []
        changes: dict[str, list[Any]] = {}
        if "name" in data:
            name = _clean_pipeline_name(actor, data["name"], errors, exclude_pk=pipeline.pk)
            if name is not None and name != pipeline.name:
                changes["name"] = [pipeline.name, name]
        archived = pipeline.archived_at is not None
        if data.get("archived") is not None and bool(data["archived"]) != archived:
            if data["archived"] and (pipeline.is_default or data.get("is_default")):
                errors.append(
                    FieldError(
                        "archived",
                        _("Make another pipeline the default before archiving this one."),
                        "is_default",
                    )
                )
            else:
                changes["archived"] = [archived, bool(data["archived"])]
        if data.get("is_default") is not None and bool(data["is_default"]) != pipeline.is_default:
            if not data["is_default"]:
                errors.append(
                    FieldError(
                        "is_default",
                        _("Make another pipeline the default instead."),
                        "invalid",
                    )
                )
            elif archived and not changes.get("archived"):
                errors.append(
                    FieldError(
                        "is_default", _("An archived pipeline cannot be the default."), "archived"
                    )
                )
            else:
                changes["is_default"] = [False, True]
        raise_if(errors)
        if not changes:
            return pipeline
        if "name" in changes:
            pipeline.name = changes["name"][1]
        if "archived" in changes:
            pipeline.archived_at = timezone.now() if changes["archived"][1] else None
        if "is_default" in changes:
            Pipeline.objects.for_workspace(actor.workspace).filter(is_default=True).update(
                is_default=False
            )
            pipeline.is_default = True
        pipeline.save(update_fields=["name", "archived_at", "is_default", "updated_at"])
        audit.record(actor, "pipeline.updated", pipeline, changes=changes)
        events.emit("pipeline.updated", actor=actor, subject=pipeline, payload={"changes": changes})
    return pipeline


def archive_pipeline(*, actor: Actor, pipeline_id: int) -> Pipeline:
    """Hide a pipeline from lists and new deals; its deals and history stay. Not the default."""
    return update_pipeline(actor=actor, pipeline_id=pipeline_id, data={"archived": True})


def delete_pipeline(*, actor: Actor, pipeline_id: int) -> None:
    """Delete a pipeline and its stages. Refuses (409) while any deal, even a binned one, is in
    it: archive it instead. Deleting the default makes the next live pipeline the default."""
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        count = Deal.objects.for_workspace(actor.workspace).filter(pipeline=pipeline).count()
        if count:
            raise Conflict(
                _("This pipeline has %(n)s deal(s); archive it instead, or move them first.")
                % {"n": count}
            )
        if pipeline.is_default:
            heir = (
                _live_pipelines(actor.workspace)
                .exclude(pk=pipeline.pk)
                .order_by("position", "id")
                .first()
            )
            if heir is not None:
                heir.is_default = True
                heir.save(update_fields=["is_default", "updated_at"])
        audit.record(actor, "pipeline.deleted", pipeline, changes={"name": [pipeline.name, None]})
        events.emit(
            "pipeline.deleted", actor=actor, subject=pipeline, payload={"name": pipeline.name}
        )
        pipeline.delete()


# --- stages -----------------------------------------------------------------------------------


def _stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))


def _renumber(stages: list[Stage]) -> None:
    changed = []
    for i, stage in enumerate(stages):
        if stage.position != i:
            stage.position = i
            changed.append(stage)
    if changed:
        Stage.objects.bulk_update(changed, ["position"])


def _name_taken(stages: list[Stage], name: str, exclude_pk: int | None = None) -> bool:
    return any(fold(s.name) == fold(name) and s.pk != exclude_pk for s in stages)


def _stage_for_update(actor: Actor, stage_id: int) -> Stage:
    stage = (
        Stage.objects.for_workspace(actor.workspace)
        .select_for_update()
        .select_related("pipeline")
        .filter(pk=stage_id)
        .first()
    )
    if stage is None:
        raise NotFound(_("No stage with id %(id)s.") % {"id": stage_id})
    return stage


def create_stage(*, actor: Actor, pipeline_id: int, data: dict[str, Any]) -> Stage:
    """Add a stage (name, kind, probability, rotting_days, position) to a pipeline.

    Without ``position`` an open stage goes after the last open stage and a won/lost stage at
    the end. Refuses a taken name in the pipeline and probabilities outside 0-100.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        stages = _stages_of(pipeline)
        errors: list[FieldError] = []
        cleaned = _clean_stage_fields(data, "", errors, creating=True)
        if "name" in cleaned and _name_taken(stages, cleaned["name"]):
            errors.append(FieldError("name", _("This pipeline has a stage named so."), "unique"))
        position = None
        if data.get("position") is not None:
            position = clean_int(data["position"], "position", errors, minimum=0)
        raise_if(errors)
        if position is None:
            if cleaned["kind"] == StageKind.OPEN:
                opens = [i for i, s in enumerate(stages) if s.kind == StageKind.OPEN]
                position = (opens[-1] + 1) if opens else 0
            else:
                position = len(stages)
        stage = Stage.objects.create(
            workspace=actor.workspace, created_by=actor.user, pipeline=pipeline, **cleaned
        )
        stages.insert(min(position, len(stages)), stage)
        _renumber(stages)
        audit.record(actor, "stage.created", stage, changes={"name": [None, stage.name]})
        events.emit(
            "stage.created",
            actor=actor,
            subject=stage,
            payload={"pipeline": pipeline.pk, "name": stage.name, "kind": stage.kind},
        )
    return stage


def update_stage(*, actor: Actor, stage_id: int, data: dict[str, Any]) -> Stage:
    """Change a stage's name, probability, rotting days or kind.

    Refuses a taken name, probabilities outside 0-100, changing the kind of a stage that holds
    deals (409), and a change that would leave the pipeline without an open, won or lost stage.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        stage = _stage_for_update(actor, stage_id)
        stages = _stages_of(stage.pipeline)
        errors: list[FieldError] = []
        cleaned = _clean_stage_fields(data, "", errors, creating=False)
        if "name" in cleaned and _name_taken(stages, cleaned["name"], exclude_pk=stage.pk):
            errors.append(FieldError("name", _("This pipeline has a stage named so."), "unique"))
        new_kind = cleaned.get("kind", stage.kind)
        if new_kind != stage.kind:
            kinds = [new_kind if s.pk == stage.pk else s.kind for s in stages]
            problem = _composition_error(kinds, "kind")
            if problem:
                errors.append(problem)
        raise_if(errors)
        if new_kind != stage.kind and Deal.objects.filter(stage=stage).exists():
            raise Conflict(
                _("Deals are in this stage; move them before changing its kind."),
                errors=[FieldError("kind", _("The stage holds deals."), "has_deals")],
            )
        changes = audit.diff({k: getattr(stage, k) for k in cleaned}, cleaned)
        if not changes:
            return stage
        for key, value in cleaned.items():
            setattr(stage, key, value)
        stage.save(update_fields=[*cleaned, "updated_at"])
        audit.record(actor, "stage.updated", stage, changes=changes)
        events.emit("stage.updated", actor=actor, subject=stage, payload={"changes": changes})
    return stage


def delete_stage(*, actor: Actor, stage_id: int, move_deals_to: int | None = None) -> None:
    """Delete a stage. Its deals (binned ones too) move to ``move_deals_to``, a stage of the same
    pipeline and kind; without it a stage holding deals is refused (409). Refuses leaving the
    pipeline without an open, won or lost stage. The dated history of past moves is kept."""
    require(actor, "settings.manage")
    with transaction.atomic():
        stage = _stage_for_update(actor, stage_id)
        stages = _stages_of(stage.pipeline)
        rest = [s for s in stages if s.pk != stage.pk]
        problem = _composition_error([s.kind for s in rest], "stage_id")
        if problem:
            raise ValidationFailed(problem.message, errors=[problem])
        deals = list(
            Deal.objects.for_workspace(actor.workspace).select_for_update().filter(stage=stage)
        )
        target = None
        if move_deals_to is not None:
            target = next((s for s in rest if s.pk == move_deals_to), None)
            if target is None or target.kind != stage.kind:
                raise ValidationFailed.field(
                    "move_deals_to",
                    _("Choose another stage of the same pipeline and kind (%(kind)s).")
                    % {"kind": stage.get_kind_display()},
                    "invalid",
                )
        if deals and target is None:
            raise Conflict(
                _("%(n)s deal(s) are in this stage; say where to move them (move_deals_to).")
                % {"n": len(deals)},
                errors=[FieldError("move_deals_to", _("The stage holds deals."), "has_deals")],
            )
        if deals and target is not None:
            _move_deals_in_bulk(actor, deals, stage, target)
        audit.record(
            actor,
            "stage.deleted",
            stage,
            changes={"name": [stage.name, None], "moved_deals": [None, len(deals)]},
        )
        events.emit(
            "stage.deleted",
            actor=actor,
            subject=stage,
            payload={
                "pipeline": stage.pipeline_id,
                "name": stage.name,
                "moved_deals_to": target.pk if target else None,
                "moved_deals": len(deals),
            },
        )
        stage.delete()
        _renumber(rest)


def _move_deals_in_bulk(actor: Actor, deals: list[Deal], source: Stage, target: Stage) -> None:
    now = timezone.now()
    changes = []
    for deal in deals:
        seconds = max(0, int((now - deal.stage_entered_at).total_seconds()))
        changes.append(
            StageChange(
                workspace=actor.workspace,
                created_by=actor.user,
                deal=deal,
                pipeline_id=deal.pipeline_id,
                from_stage=source,
                to_stage=target,
                changed_at=now,
                seconds_in_previous=seconds,
                source=actor.source,
            )
        )
        deal.stage = target
        deal.stage_entered_at = now
    StageChange.objects.bulk_create(changes, batch_size=500)
    Deal.objects.bulk_update(deals, ["stage", "stage_entered_at"], batch_size=500)
    live = [d for d in deals if d.deleted_at is None]
    timeline.record_many(
        actor,
        [
            timeline.PendingEntry(
                kind="deal.stage_changed",
                summary=gettext_noop("Moved from %(from)s to %(to)s (stage deleted)"),
                params={"from": source.name, "to": target.name},
                person=d.person_id,
                company=d.company_id,
                deal=d.pk,
                data={"from_stage": source.pk, "to_stage": target.pk},
                occurred_at=now,
            )
            for d in live
        ],
    )
    events.emit_many(
        "deal.stage_changed",
        actor=actor,
        subjects=[
            (
                "deal",
                d.pk,
                {
                    "from_stage": source.pk,
                    "to_stage": target.pk,
                    "pipeline": d.pipeline_id,
                    "amount": str(d.amount),
                    "currency": d.currency,
                    "status": d.status,
                },
            )
            for d in live
        ],
    )


def reorder_stages(*, actor: Actor, pipeline_id: int, stage_ids: list[int]) -> list[Stage]:
    """Put a pipeline's stages in the order of ``stage_ids``, which must list each of its stages
    exactly once (else 422 on ``stage_ids``)."""
    require(actor, "settings.manage")
    with transaction.atomic():
        pipeline = pipeline_for_update(actor, pipeline_id)
        stages = _stages_of(pipeline)
        by_id = {s.pk: s for s in stages}
        ids = list(stage_ids) if isinstance(stage_ids, list | tuple) else None
        if ids is None or len(ids) != len(by_id) or set(ids) != set(by_id):
            raise ValidationFailed.field(
                "stage_ids",
                _("List every stage of this pipeline exactly once (ids: %(ids)s).")
                % {"ids": ", ".join(str(pk) for pk in by_id)},
                "not_a_permutation",
            )
        before = [s.pk for s in stages]
        ordered = [by_id[pk] for pk in ids]
        if before != ids:
            _renumber(ordered)
            audit.record(
                actor, "pipeline.stages_reordered", pipeline, changes={"stages": [before, ids]}
            )
            events.emit(
                "pipeline.stages_reordered",
                actor=actor,
                subject=pipeline,
                payload={"stage_ids": ids},
            )
    return ordered


# --- products ---------------------------------------------------------------------------------


def _clean_product(actor: Actor, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    if "name" in data or creating:
        name = collect(errors, clean_name, data.get("name"), "name", required=True)
        if name is not None:
            cleaned["name"] = name
    if "sku" in data:
        sku = collect(errors, clean_name, data.get("sku"), "sku", max_length=60)
        if sku is not None:
            cleaned["sku"] = sku
    if "unit_price" in data or creating:
        price = collect(errors, clean_decimal, data.get("unit_price"), "unit_price", minimum=ZERO)
        if price is not None or creating:
            cleaned["unit_price"] = price if price is not None else ZERO
    if "currency" in data or creating:
        raw = data.get("currency") or actor.workspace.default_currency
        currency = collect(errors, clean_currency, raw, "currency")
        if currency is not None:
            cleaned["currency"] = currency
    if data.get("is_active") is not None:
        cleaned["is_active"] = bool(data["is_active"])
    raise_if(errors)
    return cleaned


def create_product(*, actor: Actor, data: dict[str, Any]) -> Product:
    """Add a product (name, sku, unit_price ≥ 0, currency) to the catalogue."""
    require(actor, "settings.manage")
    cleaned = _clean_product(actor, data, creating=True)
    with transaction.atomic():
        product = Product.objects.create(
            workspace=actor.workspace, created_by=actor.user, **cleaned
        )
        audit.record(actor, "product.created", product, changes={"name": [None, product.name]})
        events.emit(
            "product.created",
            actor=actor,
            subject=product,
            payload={
                "name": product.name,
                "unit_price": str(product.unit_price),
                "currency": product.currency,
            },
        )
    return product


def _product_for_update(actor: Actor, product_id: int) -> Product:
    product = (
        Product.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise NotFound(_("No product with id %(id)s.") % {"id": product_id})
    return product


def update_product(*, actor: Actor, product_id: int, data: dict[str, Any]) -> Product:
    """Change a product's name, sku, price, currency or active flag (existing line items keep
    the price they were sold at)."""
    require(actor, "settings.manage")
    cleaned = _clean_product(actor, data, creating=False)
    with transaction.atomic():
        product = _product_for_update(actor, product_id)
        changes = audit.diff({k: getattr(product, k) for k in cleaned}, cleaned)
        if not changes:
            return product
        for key, value in cleaned.items():
            setattr(product, key, value)
        product.save(update_fields=[*cleaned, "updated_at"])
        changes = {k: [str(a) if a is not None else None, str(b)] for k, (a, b) in changes.items()}
        audit.record(actor, "product.updated", product, changes=changes)
        events.emit("product.updated", actor=actor, subject=product, payload={"changes": changes})
    return product


def archive_product(*, actor: Actor, product_id: int) -> Product:
    """Take a product out of the catalogue (``is_active`` false); deals that sold it keep it."""
    require(actor, "settings.manage")
    with transaction.atomic():
        product = _product_for_update(actor, product_id)
        if not product.is_active:
            return product
        product.is_active = False
        product.save(update_fields=["is_active", "updated_at"])
        audit.record(actor, "product.archived", product, changes={"is_active": [True, False]})
        events.emit("product.archived", actor=actor, subject=product, payload={})
    return product


# Deals: re-exported so every caller imports ``vinculo.sales.services``.
from vinculo.sales.deals import (  # noqa: E402
    bulk_create_deals,
    create_deal,
    delete_deal,
    line_total,
    move_deal,
    restore_deal,
    update_deal,
)
from vinculo.sales.lost_reasons import (  # noqa: E402
    create_lost_reason,
    delete_lost_reason,
    reorder_lost_reasons,
    update_lost_reason,
)

__all__ = [
    "archive_pipeline",
    "archive_product",
    "bulk_create_deals",
    "create_deal",
    "create_lost_reason",
    "create_pipeline",
    "create_product",
    "create_stage",
    "delete_deal",
    "delete_lost_reason",
    "delete_pipeline",
    "delete_stage",
    "ensure_default_pipeline",
    "line_total",
    "move_deal",
    "reorder_lost_reasons",
    "reorder_stages",
    "restore_deal",
    "update_deal",
    "update_lost_reason",
    "update_pipeline",
    "update_product",
    "update_stage",
]
