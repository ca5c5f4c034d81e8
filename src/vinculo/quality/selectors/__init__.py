"""Reads of data quality shared by UI and API, one module per tool."""
