"""Reviews of the plan: scheduled every N months, each freezing goals, KPIs and budgets as of
its day, holding findings and decisions (which become tasks) and compared with the previous
one; exported as PDF and XLSX documents (:mod:`vinculo.strategy.reviews.documents`)."""
