"""Tracked behaviour: events, purchases, external identities, visitor links, inbound endpoints."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vinculo.core.models import WorkspaceManager, WorkspaceScopedModel, workspace_key


class EventSource(models.TextChoices):
    """Where a tracked event came in."""

    API = "api", _("API")
    WEBHOOK = "webhook", _("Inbound webhook")
    FORM = "form", _("Web form")
    TRACKING = "tracking", _("Site tracking")
    IMPORT = "import", _("Import")
    UI = "ui", _("Web app")
    SYSTEM = "system", _("System")


class StandardEventName(models.TextChoices):
    """The event names Vínculo knows (``cleaning.STANDARD_NAMES``): stored as the code, shown by
    the label. Any other name is the sender's own and is shown as it was sent."""

    PURCHASE = "purchase", _("Purchase")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    FORM_SUBMITTED = "form_submitted", _("Form submitted")
    PAGE_VIEWED = "page_viewed", _("Page viewed")
    CONTENT_DOWNLOADED = "content_downloaded", _("Content downloaded")
    PROMO_CODE_USED = "promo_code_used", _("Promo code used")
    EVENT_SIGNED_UP = "event_signed_up", _("Event sign-up")
    EMAIL_OPENED = "email_opened", _("Email opened")
    EMAIL_CLICKED = "email_clicked", _("Email link clicked")


def event_name_label(name: str) -> str:
    """A standard event name's label in the reader's language; any other name as it is."""
    if name in StandardEventName.values:
        return str(StandardEventName(name).label)
    return name


class TrackedEvent(models.Model):
    """One thing a person (or an anonymous visitor) did: a purchase, a page view, a booking…

    Kept lean (no ``updated_at``/``created_by``): events are appended at thousands per second
    and never edited, except to attach a visitor's events to the person they turned out to be.
    """

    # No lone index on the workspace or the person: the indexes below lead with them (each
    # index is one more B-tree every appended event writes).
    workspace = workspace_key(indexed=False)
    name = models.CharField(_("name"), max_length=60)
    person = models.ForeignKey(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tracked_events",
        db_index=False,  # led by ev_person_time (a person's events; deleting a person)
    )
    visitor_id = models.CharField(_("visitor id"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    properties = models.JSONField(_("properties"), default=dict, blank=True)
    key = models.CharField(_("idempotency key"), max_length=120, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=EventSource.choices, default=EventSource.API
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)

    objects = WorkspaceManager()

    # Not a column: the events list sets it to the summary in the reader's language.
    summary_text: str

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key"],
                condition=~models.Q(key=""),
                name="uniq_tracked_event_key",
            )
        ]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="ev_person_time"),
            models.Index(fields=["workspace", "name", "occurred_at"], name="ev_name_time"),
            models.Index(fields=["workspace", "occurred_at"], name="ev_time"),
            models.Index(
                fields=["workspace", "visitor_id"],
                condition=~models.Q(visitor_id=""),
                name="ev_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

    @property
    def name_label(self) -> str:
        """The name as people read it (a standard name by its label)."""
        return event_name_label(self.name)


class Purchase(models.Model):
    """The purchase side of a ``purchase`` event: what RFM and CLV read (one row per order)."""

    workspace = workspace_key(indexed=False)  # led by purchase_time
    event = models.OneToOneField(TrackedEvent, on_delete=models.CASCADE, related_name="purchase")
    person = models.ForeignKey(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="purchases",
        db_index=False,  # led by purchase_person
    )
    order_id = models.CharField(_("order id"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    items = models.JSONField(_("items"), default=list, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)

    objects = WorkspaceManager()

    class Meta:
        indexes = [
            # A person's purchases by time (and whether they bought again in a span: retention).
            models.Index(
                fields=["workspace", "person", "occurred_at"], name="purchase_person_time"
            ),
            # The purchase KPIs read every purchase of a year: the index covers what they read.
            models.Index(
                fields=["workspace", "occurred_at", "person", "currency", "amount"],
                name="purchase_time_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.order_id or self.event_id})"


PACKED = "<i8"  # how PurchaseHour.people and .cents hold their numbers: little-endian int64


class PurchaseHour(models.Model):
    """The purchases of one UTC hour in one currency, rolled up for the purchase KPIs: their
    count and sum, and, one entry per purchase in the same order, the buyer's person id and the
    amount in cents (little-endian 64-bit integers); an hour may have several rows (the ingest
    appends one per batch). Kept by :mod:`vinculo.events.services.rollup` in the transaction of
    every write that adds, moves or removes purchases; purchases without a person are not rolled
    up.
    Binned people's purchases stay in it: the readers leave them out."""

    workspace = workspace_key(indexed=False)  # led by purchase_hour
    hour = models.DateTimeField(_("hour"))
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.PositiveIntegerField(_("orders"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    people = models.BinaryField(_("people"))
    cents = models.BinaryField(_("cents"))

    objects = WorkspaceManager()

    class Meta:
        # An hour may have several rows (one per ingest batch until compacted).
        indexes = [models.Index(fields=["workspace", "hour", "currency"], name="purchase_hour")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.currency}: {self.orders}"


class PersonIdentity(WorkspaceScopedModel):
    """A person's id in another system (a shop's customer id…): how its events find them."""

    person = models.ForeignKey(
        "contacts.Person", on_delete=models.CASCADE, related_name="external_identities"
    )
    system = models.CharField(_("system"), max_length=60, default="external")
    external_id = models.CharField(_("external id"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "system", "external_id"], name="uniq_person_identity"
            )
        ]
        verbose_name_plural = "person identities"

    def __str__(self) -> str:
        return f"{self.system}:{self.external_id} → {self.person_id}"


class VisitorLink(WorkspaceScopedModel):
    """An anonymous site visitor known to be a person (after a form post, a login…)."""

    visitor_id = models.CharField(_("visitor id"), max_length=64)
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.CASCADE, related_name="visitor_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "visitor_id"], name="uniq_visitor_link")
        ]

    def __str__(self) -> str:
        return f"{self.visitor_id} → {self.person_id}"


class EventSettings(WorkspaceScopedModel):
    """How a workspace treats events about people it does not know yet."""

    create_unknown_people = models.BooleanField(_("create unknown people as leads"), default=True)
    lead_stage = models.CharField(_("lifecycle stage of new leads"), max_length=40, default="lead")
    lead_source = models.CharField(_("source of new leads"), max_length=60, default="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="uniq_event_settings")]
        verbose_name_plural = "event settings"

    def __str__(self) -> str:
        return f"event settings of {self.workspace_id}"


def new_endpoint_token() -> str:
    return secrets.token_urlsafe(24)


class InboundEndpoint(WorkspaceScopedModel):
    """A public URL (``/hooks/in/<token>``) another tool posts its own JSON to; ``mapping``
    turns each payload into event rows (see :mod:`vinculo.events.mapping`)."""

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(max_length=64, unique=True, default=new_endpoint_token)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    preset = models.CharField(_("preset"), max_length=40, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ReceiptStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTIAL = "partial", _("Partly accepted")
    REJECTED = "rejected", _("Rejected")
    UNAUTHORIZED = "unauthorized", _("Bad signature")


class InboundReceipt(models.Model):
    """One payload an inbound endpoint received, what became of it, and why."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    endpoint = models.ForeignKey(InboundEndpoint, on_delete=models.CASCADE, related_name="receipts")
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=ReceiptStatus.choices)
    http_status = models.PositiveSmallIntegerField()
    payload = models.JSONField(null=True, blank=True)
    raw_body = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    event_ids = models.JSONField(default=list, blank=True)

    objects = WorkspaceManager()

    class Meta:
        indexes = [models.Index(fields=["workspace", "endpoint", "-id"], name="receipt_endpoint")]

    def __str__(self) -> str:
        return f"{self.endpoint_id} {self.status} @ {self.received_at}"


class Segment(models.TextChoices):
    """The RFM segments (docs/kpis.md, "Customer value: RFM"): a named cell of the R x FM grid."""

    CHAMPIONS = "champions", pgettext_lazy("customer segment", "Champions")
    LOYAL = "loyal", pgettext_lazy("customer segment", "Loyal")
    POTENTIAL_LOYALISTS = (
        "potential_loyalists",
        pgettext_lazy("customer segment", "Potential loyalists"),
    )
    NEW_CUSTOMERS = "new_customers", pgettext_lazy("customer segment", "New customers")
    PROMISING = "promising", pgettext_lazy("customer segment", "Promising")
    NEED_ATTENTION = "need_attention", pgettext_lazy("customer segment", "Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", pgettext_lazy("customer segment", "About to sleep")
    AT_RISK = "at_risk", pgettext_lazy("customer segment", "At risk")
    CANT_LOSE_THEM = "cant_lose_them", pgettext_lazy("customer segment", "Can't lose them")
    HIBERNATING = "hibernating", pgettext_lazy("customer segment", "Hibernating")
    LOST = "lost", pgettext_lazy("customer segment", "Lost")


class ChurnRisk(models.TextChoices):
    """How likely a customer is to have stopped buying (docs/kpis.md, "Churn risk")."""

    LOW = "low", pgettext_lazy("churn risk", "Low")
    MEDIUM = "medium", pgettext_lazy("churn risk", "Medium")
    HIGH = "high", pgettext_lazy("churn risk", "High")


class Tier(models.TextChoices):
    """IDIC's differentiation (docs/kpis.md, "Most valuable and most growable"): the most
    valuable customers (MVC) and the most growable (MGC)."""

    MVC = "mvc", pgettext_lazy("customer tier", "Most valuable")
    MGC = "mgc", pgettext_lazy("customer tier", "Most growable")


class CustomerValue(models.Model):
    """A person's RFM values and scores in the workspace's default currency, as of
    ``analysis_date``: written in bulk by :func:`vinculo.events.services.rfm.recompute_rfm`,
    which replaces the workspace's rows (never edited one by one). Only people with a purchase
    have a row."""

    workspace = workspace_key(indexed=False)  # led by customer_value_segment
    person = models.OneToOneField(
        "contacts.Person", on_delete=models.CASCADE, related_name="customer_value"
    )
    currency = models.CharField(_("currency"), max_length=3)
    recency_days = models.PositiveIntegerField(_("days since the last purchase"))
    frequency = models.PositiveIntegerField(_("purchases"))
    monetary = models.DecimalField(_("amount spent"), max_digits=16, decimal_places=2)
    r_score = models.PositiveSmallIntegerField(_("recency score"))
    f_score = models.PositiveSmallIntegerField(_("frequency score"))
    m_score = models.PositiveSmallIntegerField(_("monetary score"))
    segment = models.CharField(_("segment"), max_length=30, choices=Segment.choices)
    analysis_date = models.DateField(_("analysis date"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    # What the BG/NBD and Gamma-Gamma models read (vinculo.events.services.clv), in days: x
    # (purchase days after the first), t_x (first to last purchase day), T (first purchase day
    # to the analysis date), the mean amount of the repeat purchase days.
    repeat_purchases = models.PositiveIntegerField(_("repeat purchases"), default=0)
    t_x_days = models.PositiveIntegerField(_("days from first to last purchase"), default=0)
    age_days = models.PositiveIntegerField(_("days since the first purchase"), default=0)
    repeat_mean_spend = models.DecimalField(
        _("mean repeat purchase"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # Predictions over the next 365 days (null when the workspace's model could not be fitted).
    expected_purchases = models.FloatField(_("expected purchases in 12 months"), null=True)
    p_alive = models.FloatField(_("probability alive"), null=True)  # 0..1
    expected_spend = models.DecimalField(
        _("expected amount per purchase"), max_digits=16, decimal_places=2, null=True
    )
    clv = models.DecimalField(
        _("expected value in 12 months"), max_digits=16, decimal_places=2, null=True
    )
    # Churn risk: the level, why (a code plus parameters, worded when read) and what is at stake.
    cadence_days = models.FloatField(_("usual days between purchases"), null=True)
    churn_risk = models.CharField(
        _("churn risk"), max_length=10, choices=ChurnRisk.choices, default=ChurnRisk.LOW
    )
    churn_reason = models.CharField(_("churn reason"), max_length=30, blank=True)
    churn_params = models.JSONField(default=dict, blank=True)
    value_at_stake = models.DecimalField(
        _("value at stake"), max_digits=16, decimal_places=2, default=0
    )
    # MVC / MGC with why (a code plus parameters, worded when read), and problem customers:
    # ``problems`` is a list of {"code", "params"} (late payments, unprofitable).
    tier = models.CharField(_("tier"), max_length=3, choices=Tier.choices, blank=True)
    tier_reason = models.CharField(max_length=30, blank=True)
    tier_params = models.JSONField(default=dict, blank=True)
    growth_gap = models.DecimalField(
        _("growth gap"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    is_problem = models.BooleanField(_("problem customer"), default=False)
    problems = models.JSONField(default=list, blank=True)

    objects = WorkspaceManager()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "segment"], name="customer_value_segment"),
            models.Index(
                fields=["workspace", "churn_risk", "-value_at_stake"], name="customer_value_risk"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.segment} ({self.r_score}{self.f_score}{self.m_score})"

    @property
    def p_alive_percent(self) -> float | None:
        """The probability alive in percent (for the ``percent`` template filter)."""
        return None if self.p_alive is None else round(100 * self.p_alive, 1)


class CustomerValueModel(models.Model):
    """The workspace's last fit of the BG/NBD and Gamma-Gamma models (one row per workspace,
    replaced by every recompute): the parameters (time in days), log-likelihoods and how the fit
    went. ``warnings`` is a list of ``{"code", "params"}`` worded when read
    (:func:`vinculo.events.services.clv_text.warning_text`); a model that could not be fitted
    leaves its parameters null (never invented)."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    analysis_date = models.DateField(_("analysis date"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    currency = models.CharField(_("currency"), max_length=3)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    repeat_buyers = models.PositiveIntegerField(_("repeat buyers"), default=0)
    r = models.FloatField(null=True)
    alpha = models.FloatField(null=True)
    a = models.FloatField(null=True)
    b = models.FloatField(null=True)
    bgnbd_log_likelihood = models.FloatField(null=True)
    bgnbd_converged = models.BooleanField(default=False)
    p = models.FloatField(null=True)
    q = models.FloatField(null=True)
    gamma = models.FloatField(null=True)
    gamma_gamma_log_likelihood = models.FloatField(null=True)
    gamma_gamma_converged = models.BooleanField(default=False)
    spend_frequency_correlation = models.FloatField(null=True)
    fit_seconds = models.FloatField(default=0)
    warnings = models.JSONField(default=list, blank=True)

    objects = WorkspaceManager()

    def __str__(self) -> str:
        return f"CLV model of {self.workspace_id} as of {self.analysis_date}"


class ValueSettings(models.Model):
    """What the workspace's customer-value figures need from its owners: the hourly cost of the
    team's time (the cost to serve a customer is their logged activity time at this rate), and
    the share of customers each tier takes. One row per workspace, written by
    :func:`vinculo.events.services.tiers.save_value_settings`; a workspace without one uses
    the defaults."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    hourly_cost = models.DecimalField(
        _("hourly cost of the team"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    tier_percent = models.PositiveSmallIntegerField(
        _("share of customers per tier (%)"), default=20
    )

    objects = WorkspaceManager()

    def __str__(self) -> str:
        return f"value settings of {self.workspace_id}"
