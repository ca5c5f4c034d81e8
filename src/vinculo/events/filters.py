"""What the events app adds to filters over people (the filter language: vinculo.core.filters):
the RFM segment and values, the predicted CLV and the churn risk kept in
:class:`vinculo.events.models.CustomerValue`. A person with no purchase has no row, so
"segment is empty" finds them. Imported lazily by :func:`vinculo.core.filters.autodiscover`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vinculo.core.filters import FilterField, extend_object
from vinculo.events.models import ChurnRisk, Segment, Tier

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
    # Predicted value (docs/kpis.md, "Customer lifetime value"): empty when not predicted.
    FilterField("clv", "decimal", _("Expected value in 12 months"), "customer_value__clv"),
    # A probability from 0 to 1 (p_alive lt 0.3), not a percentage.
    FilterField("p_alive", "number", _("Probability alive (0-1)"), "customer_value__p_alive"),
    FilterField(
        "expected_purchases",
        "number",
        _("Expected purchases in 12 months"),
        "customer_value__expected_purchases",
    ),
    FilterField(
        "churn_risk", "choice", _("Churn risk"), "customer_value__churn_risk", ChurnRisk.choices
    ),
    FilterField("value_at_stake", "decimal", _("Value at stake"), "customer_value__value_at_stake"),
    # IDIC's differentiation (docs/kpis.md, "Most valuable, most growable and problem customers").
    FilterField("value_tier", "choice", _("Customer tier"), "customer_value__tier", Tier.choices),
    FilterField("growth_gap", "decimal", _("Growth gap"), "customer_value__growth_gap"),
    FilterField("problem_customer", "boolean", _("Problem customer"), "customer_value__is_problem"),
)
