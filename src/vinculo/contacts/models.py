"""People, companies and everything that describes them: the single source of truth (C1, C2)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.core.actor import Source
from vinculo.core.collation import SortKey
from vinculo.core.models import WorkspaceScopedModel, user_key, workspace_key
from vinculo.core.text import fold


class JourneyPhase(models.TextChoices):
    AWARENESS = "awareness", _("Awareness")
    CONSIDERATION = "consideration", _("Consideration")
    DECISION = "decision", _("Decision")
    GROWTH = "growth", _("Growth")
    ADVOCACY = "advocacy", _("Advocacy")


class LifecycleStage(WorkspaceScopedModel):
    """A step of the customer lifecycle as this workspace defines it (its glossary entry)."""

    key = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("definition"), blank=True)
    phase = models.CharField(_("journey phase"), max_length=20, choices=JourneyPhase.choices)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="uniq_lifecycle_stage_key")
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    MAIL = "mail", _("Postal mail")
    IN_PERSON = "in_person", _("In person")


class Tag(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=50)
    # fold(name) (core.text): what makes two spellings the same tag, on every database.
    name_key = models.CharField(max_length=200, editable=False, default="")
    color = models.CharField(max_length=7, default="#64748b")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name_key"], name="uniq_tag_name_key"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """Brazilian-style postal address fields shared by people and companies."""

    street = models.CharField(_("street"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    complement = models.CharField(_("complement"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        abstract = True


class CustomerRecord(WorkspaceScopedModel, Address):
    """What people and companies share: owner, tags, source, lifecycle, custom fields."""

    workspace = workspace_key(indexed=False)  # people's and companies' indexes lead with it
    owner = user_key()
    source = models.CharField(_("source"), max_length=60, blank=True)
    lifecycle_stage = models.ForeignKey(
        LifecycleStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifecycle_changed_at = models.DateTimeField(null=True, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        abstract = True


class Company(CustomerRecord):
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    cnpj = models.CharField("CNPJ", max_length=14, blank=True)
    domain = models.CharField(_("domain"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies")
    # The name as pickers search and sort it (case and accents folded), kept by the database.
    name_key = models.GeneratedField(
        expression=SortKey("name"), output_field=models.CharField(max_length=200), db_persist=True
    )

    class Meta:
        verbose_name_plural = "companies"
        indexes = [
            models.Index(fields=["workspace", "name"]),
            models.Index(fields=["workspace", "name_key"]),
            models.Index(fields=["workspace", "cnpj"]),
            models.Index(fields=["workspace", "domain"]),
            models.Index(fields=["workspace", "postal_code"]),
            models.Index(fields=["workspace", "created_at", "id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "cnpj"],
                condition=~models.Q(cnpj="") & models.Q(deleted_at__isnull=True),
                name="uniq_company_cnpj",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(CustomerRecord):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    cpf = models.CharField("CPF", max_length=11, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=30, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, blank=True
    )
    interests = models.TextField(_("needs and interests"), blank=True)
    companies = models.ManyToManyField(Company, through="Affiliation", related_name="people")
    tags = models.ManyToManyField(Tag, blank=True, related_name="people")
    # "first last" and the last name as pickers search and sort them (case and accents folded),
    # kept by the database on every write path.
    name_key = models.GeneratedField(
        expression=SortKey("first_name", "last_name"),
        output_field=models.CharField(max_length=201),
        db_persist=True,
    )
    last_name_key = models.GeneratedField(
        expression=SortKey("last_name"),
        output_field=models.CharField(max_length=100),
        db_persist=True,
    )
    # When the person was first touched (a call, meeting or email logged on them, not binned,
    # at or after their creation): kept by the activities app on every write that can change
    # it, so the lead response KPIs read one column instead of the person's activities.
    first_touched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["workspace", "last_name", "first_name"]),
            models.Index(fields=["workspace", "name_key"]),
            models.Index(fields=["workspace", "last_name_key"]),
            models.Index(fields=["workspace", "email"]),
            models.Index(fields=["workspace", "phone"]),
            # Imports and duplicate detection match people on either phone.
            models.Index(fields=["workspace", "mobile_phone"]),
            models.Index(fields=["workspace", "cpf"]),
            # The duplicate check of a new record looks candidates up by these too.
            models.Index(fields=["workspace", "birth_date"]),
            models.Index(fields=["workspace", "postal_code"]),
            # The default list order, and the most common filter with it; the KPIs counting
            # people added read the bin mark from it too.
            models.Index(
                fields=["workspace", "created_at", "id", "deleted_at"], name="person_created"
            ),
            models.Index(fields=["workspace", "lifecycle_stage", "created_at"]),
            # The lead response KPIs: the people added in a period with their first touch
            # (and owner, to cut by), read from the index alone.
            models.Index(
                fields=["workspace", "created_at", "deleted_at", "first_touched_at", "owner"],
                name="person_first_touch",
            ),
            # People by source over time (referrals, any KPI or list cut by source).
            models.Index(
                fields=["workspace", "source", "created_at", "deleted_at"], name="person_source"
            ),
            # The binned, few: the KPIs leave their records out by their ids.
            models.Index(
                fields=["workspace", "deleted_at"],
                name="person_binned",
                condition=models.Q(deleted_at__isnull=False),
            ),
            models.Index(fields=["workspace", "owner", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "cpf"],
                condition=~models.Q(cpf="") & models.Q(deleted_at__isnull=True),
                name="uniq_person_cpf",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Affiliation(WorkspaceScopedModel):
    """A person works at (or for) a company, with a role; people may have several."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="affiliations")
    role = models.CharField(_("role"), max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "company"], name="uniq_affiliation")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.company_id}"


class LifecycleChange(WorkspaceScopedModel):
    """A dated move of a person or company between lifecycle stages (append-only)."""

    workspace = workspace_key(indexed=False)  # led by the (workspace, stage, date) index

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="lifecycle_changes"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="lifecycle_changes"
    )
    from_stage = models.ForeignKey(
        LifecycleStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(
        LifecycleStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SYSTEM)

    class Meta:
        ordering = ["changed_at", "id"]
        # Entries into a stage by time (the KPIs), with whose they are.
        indexes = [
            models.Index(
                fields=["workspace", "to_stage", "changed_at", "person"], name="lifecycle_entries"
            ),
            # Exits from a stage by time (customers lost), with where to and whose they are.
            models.Index(
                fields=["workspace", "from_stage", "changed_at", "to_stage", "person"],
                name="lifecycle_exits",
            ),
            # A person's entries into a stage (did this lead become a customer since?).
            models.Index(fields=["person", "to_stage", "changed_at"], name="lifecycle_person"),
        ]


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", _("Opted in")
    OPTED_OUT = "opted_out", _("Opted out")
    UNKNOWN = "unknown", _("Unknown")


class LegalBasis(models.TextChoices):
    """LGPD art. 7 bases most used in CRM work."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Performance of a contract")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    CREDIT_PROTECTION = "credit_protection", _("Credit protection")


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    EMAIL_LINK = "email_link", _("Link in an email")
    VERBAL = "verbal", _("Verbal, recorded by staff")
    WRITTEN = "written", _("Written")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class Consent(WorkspaceScopedModel):
    """The current consent of a person for one channel; every change also writes a
    :class:`ConsentChange`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    evidence = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "channel"], name="uniq_consent_channel")
        ]


class ConsentChange(WorkspaceScopedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_changes")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    from_status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    evidence = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SYSTEM)

    class Meta:
        ordering = ["changed_at", "id"]


class CustomObject(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")
    DEAL = "deal", _("Deal")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    URL = "url", _("URL")


class CustomFieldDefinition(WorkspaceScopedModel):
    """A field the workspace added to people, companies or deals.

    Values live in the record's ``custom_fields`` JSON under ``key`` (stable: relabelling or
    archiving a field never touches stored values). Numbers and money are stored as decimal
    strings, dates as ISO strings, so comparisons cast the text the same way on SQLite and
    PostgreSQL.
    """

    object_type = models.CharField(max_length=20, choices=CustomObject.choices)
    key = models.SlugField(max_length=50)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(max_length=20, choices=FieldType.choices)
    required = models.BooleanField(default=False)
    unique = models.BooleanField(default=False)
    # An owner marks fields that identify a customer (an ID card, a student or patient number):
    # duplicate detection then compares and blocks on them.
    identifier = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    help_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["object_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object_type", "key"], name="uniq_custom_field_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.key}"


class Spend(WorkspaceScopedModel):
    """Money spent on acquiring customers through one channel in one month (entered by a
    marketer; ``created_by`` is who entered it): what CAC divides by the new customers. The
    channel is free text matched to people's ``source`` by its folded form (``channel_key``,
    kept by the service), so "Google Ads" spend pairs with people whose source is "google ads"."""

    month = models.DateField(_("month"))  # the first day of the month
    channel = models.CharField(_("channel"), max_length=60)
    channel_key = models.CharField(max_length=120)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-month", "channel_key", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "month", "channel_key", "currency"],
                name="uniq_spend_month_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.month:%Y-%m}: {self.amount} {self.currency}"
