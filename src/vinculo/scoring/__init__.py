"""Lead scoring: rule points a manager edits and a predictive score learned from won/lost deals
(docs/lead-scoring.md)."""
