"""Start from strategy (seed 000's first golden rule): a new workspace picks its kind of business
and gets a draft plan to edit — objectives, strategies per function, tactics with budgets, goals
bound to KPIs (targets set from the baselines measured on its own data), a touchpoint map with
its communication policy and the first review date. :mod:`.catalogue` holds the drafts."""
