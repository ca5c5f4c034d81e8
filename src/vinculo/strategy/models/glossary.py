"""The workspace's glossary (seed 000: agree on what lead, MQL, customer and churn mean): each
term with its definition, shown as a tooltip wherever the term appears (lifecycle stages,
KPIs, goals). ``term_key`` is the term folded (casefold + NFC), kept by the service."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel, workspace_key


class GlossaryTerm(WorkspaceScopedModel):
    """A term and its definition; ``lifecycle_stage`` (a stage key) or ``kpi_key`` ties it to
    the stage or KPI it defines, so their screens show it without matching by name."""

    workspace = workspace_key(indexed=False)  # the unique constraint leads with it
    term = models.CharField(_("term"), max_length=80)
    term_key = models.CharField(max_length=160)
    definition = models.TextField(_("definition"))
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=40, blank=True)
    kpi_key = models.CharField(_("KPI"), max_length=60, blank=True)

    class Meta:
        ordering = ["term_key"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "term_key"], name="uniq_glossary_term")
        ]

    def __str__(self) -> str:
        return self.term
