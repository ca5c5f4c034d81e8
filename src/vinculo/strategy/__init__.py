"""Strategy: the CRM plan (objectives, strategies per function, tactics with budgets), goals
bound to registered KPIs that track themselves, customer-experience gaps, the touchpoint map,
reviews and the glossary (capability C11; see docs/strategy.md)."""
