"""Screens of data quality, one module per tool; ``vinculo.quality.urls`` gathers their URLs."""
