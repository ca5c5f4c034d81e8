"""API of webforms: mounted by vinculo.integrations.api."""

from ninja import Router

router = Router(tags=["Web forms"])
