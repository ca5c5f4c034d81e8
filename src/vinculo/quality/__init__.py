"""Data quality (C4): import, export, duplicate detection and merge, audits and entry rules."""
