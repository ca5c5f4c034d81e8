"""What the events app adds to filters over people (the filter language: vinculo.core.filters):
the RFM segment and values kept in :class:`vinculo.events.models.CustomerValue`. A person with no
purchase has no row, so "segment is empty" finds them. Imported lazily by
:func:`vinculo.core.filters.autodiscover`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vinculo.core.filters import FilterField, extend_object
from vinculo.events.models import Segment

extend_object(
    "person",
    FilterField(
        "rfm_segment", "choice", _("RFM segment"), "customer_value__segment", Segment.choices
    ),
    FilterField(
        "rfm_recency_days",
        "number",
        _("Days since the last purchase"),
        "customer_value__recency_days",
    ),
    FilterField("rfm_frequency", "number", _("Purchases (RFM)"), "customer_value__frequency"),
    FilterField("rfm_monetary", "decimal", _("Amount spent (RFM)"), "customer_value__monetary"),
)
