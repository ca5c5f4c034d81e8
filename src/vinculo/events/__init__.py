"""Tracked behaviour (purchases, page views, form posts…): ingestion and queries."""
