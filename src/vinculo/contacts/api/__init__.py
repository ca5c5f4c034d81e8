"""REST endpoints of people, companies, lifecycle stages, consent, tags, custom fields and
marketing spend.

One module per concept, each with its own router, mounted here in the order the paths appear in
the OpenAPI document; ``vinculo.api`` mounts :data:`router` under ``/api/v1/``.
"""

from __future__ import annotations

from ninja import Router

from vinculo.contacts.api import companies, custom_fields, lifecycle, people, spend, tags

router = Router(tags=["contacts"])
for part in (people, companies, lifecycle, custom_fields, tags, spend):
    # Operation ids are public (client generators name their methods after them) and ninja
    # derives them from the view's module: keep the ones from when this API was one module.
    for path_view in part.router.path_operations.values():
        for operation in path_view.operations:
            name = operation.view_func.__name__
            operation.operation_id = operation.operation_id or f"vinculo_contacts_api_{name}"
    router.add_router("/", part.router)

__all__ = ["router"]
