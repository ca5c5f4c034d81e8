"""What filters over deals may test (the filter language: vinculo.core.filters).

Imported lazily by :func:`vinculo.core.filters.autodiscover`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vinculo.contacts.filters import custom_filter_fields
from vinculo.core.actor import Actor
from vinculo.core.filters import FilterField, FilterObject, FilterRelation, register_object
from vinculo.sales.models import Deal, LostReason, Pipeline, Stage


def pipeline_choices(actor: Actor) -> list[tuple[int, str]]:
    return [(p.pk, p.name) for p in Pipeline.objects.for_workspace(actor.workspace)]


def lost_reason_choices(actor: Actor) -> list[tuple[int, str]]:
    """Every lost reason as ``(id, "Pipeline: Reason")``, labels in the reader's language."""
    reasons = LostReason.objects.for_workspace(actor.workspace).select_related("pipeline")
    return [(r.pk, f"{r.pipeline.name}: {r.display}") for r in reasons]


def stage_choices(actor: Actor) -> list[tuple[int, str]]:
    """Every stage as ``(id, "Pipeline: Stage")``: stage names repeat across pipelines."""
    stages = Stage.objects.for_workspace(actor.workspace).select_related("pipeline")
    return [(s.pk, f"{s.pipeline.name}: {s.name}") for s in stages]


DEAL_FIELDS: tuple[FilterField, ...] = (
    FilterField("title", "text", _("Title")),
    FilterField("status", "choice", _("Status")),
    FilterField("amount", "money", _("Amount")),
    FilterField("currency", "text", _("Currency")),
    FilterField("pipeline", "choice", _("Pipeline"), choices=pipeline_choices),
    FilterField("stage", "choice", _("Stage"), choices=stage_choices),
    FilterField("expected_close_date", "date", _("Expected close date")),
    FilterField("closed_at", "datetime", _("Closed")),
    FilterField("stage_entered_at", "datetime", _("Entered the stage")),
    FilterField("owner", "user", _("Owner")),
    FilterField("tags", "tags", _("Tags")),
    FilterField("lost_reason", "choice", _("Lost reason"), choices=lost_reason_choices),
    FilterField("lost_note", "text", _("Lost note")),
    FilterField("source", "text", _("Source")),
    FilterField("description", "long_text", _("Description")),
    FilterField("created_at", "datetime", _("Created")),
    FilterField("updated_at", "datetime", _("Updated")),
    FilterField("created_by", "user", _("Created by")),
)

register_object(
    FilterObject(
        object_type="deal",
        model=Deal,
        label=_("Deals"),
        fields=DEAL_FIELDS,
        relations=(
            FilterRelation("person", "person", link="pk", outer="person_id", label=_("Person")),
            FilterRelation("company", "company", link="pk", outer="company_id", label=_("Company")),
            FilterRelation("activities", "activity", link="deal", label=_("Activities")),
        ),
        custom_fields=custom_filter_fields("deal"),
    )
)
