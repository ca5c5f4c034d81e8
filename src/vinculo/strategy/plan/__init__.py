"""The CRM plan (docs/strategy.md): objectives, strategies per function, tactics with budgets
and spend, versions, the calculator, orphans; its API and screens."""
