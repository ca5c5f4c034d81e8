"""REST endpoints of the sales app (thin: parse, call a service or selector, serialise), one
module per concept; ``router`` is mounted under ``/api/v1/`` by ``vinculo.api``.

A module imports only those above it in this order (lower first)::

    lost_reasons   a pipeline's lost reasons (and a deal's ``lost_reason`` in answers)
    products       the product catalogue
    pipelines      pipelines and their stages
    board          a pipeline's Kanban board
    deals          deals
    reports        the sales reports (funnel, forecast, win/loss)
"""

from __future__ import annotations

from ninja import Router

from vinculo.sales.api import board, deals, lost_reasons, pipelines, products, reports

router = Router(tags=["sales"])


def _keep_operation_ids(part: Router, module: str) -> None:
    """Give the endpoints of ``part`` the operation ids ninja derived when ``module`` held them
    (``<module>_<function>``, dots as underscores): the OpenAPI document, and the clients
    generated from it, do not change with this package's layout."""
    for path_view in part.path_operations.values():
        for operation in path_view.operations:
            if operation.operation_id is None:
                name = f"{module}_{operation.view_func.__name__}"
                operation.operation_id = name.replace(".", "_")


# In the order the endpoints were declared in when they lived in one module.
for _part in (pipelines, board, deals, products):
    _keep_operation_ids(_part.router, "vinculo.sales.api")
    router.add_router("/", _part.router)
_keep_operation_ids(lost_reasons.router, "vinculo.sales.lost_reasons_api")
router.add_router("/", lost_reasons.router)
router.add_router("/", reports.router)
