"""Pipelines, stages, deals, products and the dated history of every stage change (C2)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.core.actor import Source
from vinculo.core.models import WorkspaceScopedModel, user_key


class Pipeline(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Stage(WorkspaceScopedModel):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), default=0)
    rotting_days = models.PositiveIntegerField(_("rotting after (days)"), null=True, blank=True)
    kind = models.CharField(max_length=10, choices=StageKind.choices, default=StageKind.OPEN)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint("pipeline", Lower("name"), name="uniq_stage_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class LostReasonCode(models.TextChoices):
    """The reasons every pipeline starts with; their labels follow the reader's language until
    the workspace renames them (``LostReason.label``)."""

    PRICE = "price", _("Price")
    COMPETITOR = "competitor", _("Chose a competitor")
    NO_BUDGET = "no_budget", _("No budget")
    TIMING = "timing", _("No response / timing")
    NO_FIT = "no_fit", _("Not a fit")
    OTHER = "other", _("Other (say why)")


class LostReason(WorkspaceScopedModel):
    """A reason a deal of ``pipeline`` was lost: a default (``code``, label in the reader's
    language unless renamed) or one the workspace added (no code). Archived reasons stay on the
    deals that have them but are not offered any more; "other" asks for a note."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="lost_reasons")
    code = models.CharField(max_length=20, blank=True, choices=LostReasonCode.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                "pipeline", "code", condition=~models.Q(code=""), name="uniq_lost_reason_code"
            ),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The label, or the default's label in the active language when never renamed."""
        if self.label:
            return self.label
        return str(LostReasonCode(self.code).label) if self.code else ""

    @property
    def needs_note(self) -> bool:
        return self.code == LostReasonCode.OTHER


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Deal(WorkspaceScopedModel):
    title = models.CharField(_("title"), max_length=200)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="BRL")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    owner = user_key()
    person = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    company = models.ForeignKey(
        "contacts.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    lost_reason = models.ForeignKey(
        LostReason, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    # Free text on why it was lost: the note to the listed reason (required for "other").
    lost_note = models.CharField(_("lost note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField("contacts.Tag", blank=True, related_name="deals")
    custom_fields = models.JSONField(default=dict, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "pipeline", "stage"]),
            models.Index(fields=["workspace", "status", "closed_at"]),
            models.Index(fields=["workspace", "owner"]),
            # Board columns: the oldest open deals of a stage, the latest closed ones.
            models.Index(fields=["stage", "stage_entered_at", "id"]),
            models.Index(fields=["stage", "closed_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Product(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField("SKU", max_length=60, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="BRL")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LineItem(WorkspaceScopedModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class StageChange(WorkspaceScopedModel):
    """A deal entered ``to_stage`` at ``changed_at`` (its first row has no ``from_stage``)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Null once the stage was deleted: the dated row stays, so cycle lengths survive.
    to_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    seconds_in_previous = models.PositiveBigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SYSTEM)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["workspace", "to_stage", "changed_at"]),
            models.Index(fields=["deal", "changed_at"]),
        ]
