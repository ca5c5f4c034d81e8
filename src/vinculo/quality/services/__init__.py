"""Writes of data quality: imports, exports, duplicates, merge, audit, entry rules."""
