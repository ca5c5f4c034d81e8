"""Lead-capture forms, their submissions, the rate-limit counters and the site-tracking key."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.contacts.models import Channel, LegalBasis
from vinculo.core.models import WorkspaceScopedModel


def new_public_key() -> str:
    """An unguessable key for public URLs (``/f/<key>``, the tracking snippet)."""
    return secrets.token_urlsafe(12)


class FormLanguage(models.TextChoices):
    PT_BR = "pt-br", "Português (Brasil)"
    EN = "en", "English"


class WebForm(WorkspaceScopedModel):
    """A lead-capture form: which person fields it asks for, what a submission does to the person
    (tags, lifecycle stage, source, owner, consent) and where it may be embedded.

    ``fields`` is an ordered list of ``{"key", "label", "placeholder", "required"}``; ``key`` is a
    person field (``email``) or a custom field (``custom_fields.<key>``).
    """

    name = models.CharField(_("name"), max_length=120)
    public_key = models.CharField(max_length=32, unique=True, default=new_public_key)
    fields = models.JSONField(default=list)
    consent_enabled = models.BooleanField(default=False)
    consent_required = models.BooleanField(default=False)
    consent_text = models.TextField(blank=True)
    consent_channel = models.CharField(
        max_length=20, choices=Channel.choices, default=Channel.EMAIL
    )
    consent_legal_basis = models.CharField(
        max_length=30, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    tags = models.JSONField(default=list, blank=True)
    lifecycle_stage = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submit_label = models.CharField(max_length=60, blank=True)
    success_message = models.TextField(blank=True)
    redirect_url = models.URLField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    allowed_domains = models.JSONField(default=list, blank=True)
    language = models.CharField(
        max_length=10, choices=FormLanguage.choices, default=FormLanguage.PT_BR
    )
    min_seconds = models.PositiveSmallIntegerField(default=3)

    class Meta:
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return self.name


class SubmissionStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    SPAM = "spam", _("Spam")


class SpamReason(models.TextChoices):
    """Why a post was kept as spam (stored in ``Submission.reason``, shown by its label)."""

    HONEYPOT = "honeypot", _("hidden field filled in")
    TOO_FAST = "too_fast", _("sent too fast")
    STALE_TOKEN = "stale_token", _("expired form")
    FORGED_TOKEN = "forged_token", _("forged form token")
    RATE_LIMITED = "rate_limited", _("too many posts")


class Submission(WorkspaceScopedModel):
    """One post of a form: what was typed, where from (IP hash, never the raw IP), and what came
    of it. Refused posts (honeypot, too fast, forged token, rate limit) are kept as ``spam``."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    person = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_created = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices)
    reason = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    consent_given = models.BooleanField(default=False)
    ip_hash = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    visitor_id = models.CharField(max_length=64, blank=True)
    page_url = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "form", "-id"])]

    def __str__(self) -> str:
        return f"{self.form_id}#{self.pk} ({self.status})"

    @property
    def reason_label(self) -> str:
        """Why it was refused, in the reader's language (an unknown code as it is)."""
        if self.reason in SpamReason.values:
            return str(SpamReason(self.reason).label)
        return self.reason


class FormDailyStat(WorkspaceScopedModel):
    """Hosted-page views and accepted submissions of one form on one day (the conversion chart)."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    submissions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "day"], name="uniq_form_stat_per_day")
        ]


class RateCounter(WorkspaceScopedModel):
    """Hits of one rate-limit bucket (``form:12:ip:<hash>``) in one fixed window. In the
    database so the limit holds across every web process; old windows are swept."""

    bucket = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="uniq_rate_window")
        ]
        indexes = [models.Index(fields=["window_start"])]


class TrackingSite(WorkspaceScopedModel):
    """The workspace's site-tracking key and the domains allowed to send page views with it."""

    public_key = models.CharField(max_length=32, unique=True, default=new_public_key)
    allowed_domains = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="uniq_tracking_site_per_workspace")
        ]
