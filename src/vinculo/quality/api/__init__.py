"""The data-quality routers, mounted under ``/api/v1/`` by ``vinculo.api``."""

from __future__ import annotations

from ninja import Router

from vinculo.quality.api import audit, duplicates, exports, imports, matching, rules

router = Router()
for part in (imports, exports, duplicates, matching, audit, rules):
    router.add_router("/", part.router)
