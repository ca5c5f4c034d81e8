"""What lead scoring adds to filters over people (the filter language: vinculo.core.filters):
the stored rule score and predictive probability of :class:`vinculo.scoring.models.LeadScore`
("lead_score >= 50 and lead_probability > 0.7"). A person with no row (no points, no model in
use) has neither, so "is empty" finds them. Imported lazily by
:func:`vinculo.core.filters.autodiscover`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vinculo.core.filters import FilterField, extend_object

extend_object(
    "person",
    FilterField("lead_score", "number", _("Lead score"), "lead_score__rule_score"),
    FilterField(
        "lead_probability",
        "decimal",
        _("Predicted win probability (0 to 1)"),
        "lead_score__probability",
    ),
)
