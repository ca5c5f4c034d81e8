"""API of events: mounted by vinculo.integrations.api."""

from ninja import Router

router = Router(tags=["Tracked events"])
