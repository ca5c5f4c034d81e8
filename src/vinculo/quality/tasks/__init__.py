"""Background tasks of data quality, one module per tool."""
