"""API of outbound webhooks and inbound endpoints."""

from ninja import Router

router = Router(tags=["Webhooks"])
