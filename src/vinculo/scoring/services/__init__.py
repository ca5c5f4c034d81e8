"""Writes of lead scoring: rules, training, the bulk recompute."""
