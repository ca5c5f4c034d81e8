"""Tables of data quality: entry rules (required fields, formats and uniqueness per field)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel

__all__ = ["EntryRule", "RuleFormat", "RuleKind", "RuleObject"]


class RuleObject(models.TextChoices):
    PERSON = "person", _("People")
    COMPANY = "company", _("Companies")
    DEAL = "deal", _("Deals")


class RuleKind(models.TextChoices):
    REQUIRED = "required", _("Required")
    FORMAT = "format", _("Format")
    UNIQUE = "unique", _("Unique")


class RuleFormat(models.TextChoices):
    """Named formats beyond what the field validators already enforce (Brazilian habits)."""

    UPPERCASE = "uppercase", _("Capital letters only")
    DIGITS_ONLY = "digits_only", _("Digits only")
    BR_STATE = "br_state", _("Brazilian state (UF)")
    CEP = "cep", _("CEP (00000-000)")
    MOBILE_BR = "mobile_br", _("Brazilian mobile number")
    CORPORATE_EMAIL = "corporate_email", _("Corporate email (no free webmail)")
    REGEX = "regex", _("Regular expression")


class EntryRule(WorkspaceScopedModel):
    """A rule every write of one field must follow, in every path (UI, API, import, automation).

    ``field`` is a standard field name (``email``, ``state``…) or ``custom_fields.<key>``.
    """

    object_type = models.CharField(max_length=20, choices=RuleObject.choices)
    field = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    format = models.CharField(max_length=30, choices=RuleFormat.choices, blank=True)
    pattern = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["object_type", "field", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object_type", "field", "kind", "format", "pattern"],
                name="uniq_entry_rule",
            )
        ]
        indexes = [models.Index(fields=["workspace", "object_type", "is_active"])]

    def __str__(self) -> str:
        suffix = f":{self.format}" if self.format else ""
        return f"{self.object_type}.{self.field} {self.kind}{suffix}"
