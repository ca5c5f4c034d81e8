"""REST endpoints of the contacts app (thin: parse, call a service or selector, serialise)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["contacts"])
