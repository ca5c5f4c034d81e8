"""Record matching (Fellegi-Sunter): schema, normalisation, blocking, comparison, model, engine."""
