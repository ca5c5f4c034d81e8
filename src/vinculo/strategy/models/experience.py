"""The customer's experience as the plan sees it: gaps observed (seed 003: traced to their root
cause with five whys, closed by tactics and goals) and the touchpoint map (seed 004: lifecycle
stage by department by channel, each cell with an owner, a policy and the KPI that watches
it).
A touchpoint's policy is data: campaigns, automation and service SLAs read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel
from vinculo.strategy.models.plan import Function


class GapStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    CLOSING = "closing", _("Being closed")
    CLOSED = "closed", _("Closed")


class Gap(WorkspaceScopedModel):
    """A customer-experience gap: what was observed, its evidence (a KPI, a segment of
    people, a saved list or a link), the chain of whys (a list of answers, up to five or more)
    ending at ``root_cause``, the tactics and goals that close it, and a status."""

    title = models.CharField(_("title"), max_length=200)
    observed = models.TextField(_("what was observed"), blank=True)
    evidence_kpi = models.CharField(_("evidence KPI"), max_length=60, blank=True)
    evidence_segment = models.JSONField(_("evidence segment"), null=True, blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True)
    whys = models.JSONField(_("five whys"), default=list, blank=True)  # ["why 1", ...]
    root_cause = models.TextField(_("root cause"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=GapStatus.choices, default=GapStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tactics = models.ManyToManyField("strategy.Tactic", blank=True, related_name="gaps")
    goals = models.ManyToManyField("strategy.Goal", blank=True, related_name="gaps")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TouchpointChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    WEBSITE = "website", _("Website")
    SOCIAL = "social", _("Social media")
    MEETING = "meeting", _("Meeting")
    IN_PERSON = "in_person", _("In person")
    MAIL = "mail", _("Postal mail")


class PolicyKind(models.TextChoices):
    NONE = "", _("No rule")
    REPLY_WITHIN = "reply_within", _("Reply within")
    AT_MOST = "at_most", _("At most (messages per period)")
    AT_LEAST = "at_least", _("At least (contacts per period)")


class PolicyUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    BUSINESS_HOURS = "business_hours", _("business hours")
    DAYS = "days", _("days")
    BUSINESS_DAYS = "business_days", _("business days")
    WEEK = "week", _("a week")
    MONTH = "month", _("a month")


class Touchpoint(WorkspaceScopedModel):
    """One cell of the map: at ``lifecycle_stage`` (a stage key), ``department`` meets the
    customer through ``channel``. The policy is structured (``reply_within`` 2
    ``business_hours``; ``at_most`` 2 a ``week``) so other apps can enforce it, with a note."""

    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=40)
    department = models.CharField(_("department"), max_length=20, choices=Function.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=TouchpointChannel.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "workspaces.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    policy_kind = models.CharField(
        _("policy"), max_length=20, choices=PolicyKind.choices, default="", blank=True
    )
    policy_amount = models.PositiveIntegerField(_("amount"), null=True, blank=True)
    policy_unit = models.CharField(_("unit"), max_length=20, choices=PolicyUnit.choices, blank=True)
    policy_note = models.CharField(_("policy note"), max_length=300, blank=True)
    kpi_key = models.CharField(_("KPI that watches it"), max_length=60, blank=True)

    class Meta:
        ordering = ["lifecycle_stage", "department", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "lifecycle_stage", "department", "channel"],
                name="uniq_touchpoint_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lifecycle_stage} · {self.department} · {self.channel}"
