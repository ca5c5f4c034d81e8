"""The strategy app's models (each part in its own module, imported here)."""
