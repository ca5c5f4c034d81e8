"""Every write of the sales app (C2): pipelines, stages, lost reasons, products, deals.

Each service runs in one transaction: check permission, validate (every bad field at once),
write, audit, domain event. Callers import this package (``from vinculo.sales import
services``), never its modules. One module per concept; a module imports only those above it
in this order (lower first), so the package has no import cycle::

    lost_reasons   the lists of lost reasons, and the rule a lost deal follows
    stages         stages of a pipeline (and the cleaning of a stage's fields)
    pipelines      pipelines and the default pipeline
    products       the product catalogue and a deal's line items
    deal_refs      what deal input refers to, looked up once per call
    deal_input     cleaning deal input, in named steps
    deal_rows      building a new deal's rows; what deal writes share
    deals          create, update, move, bin, restore, bulk import, merge support
"""

from vinculo.sales.services.deals import (
    bulk_create_deals,
    create_deal,
    delete_deal,
    move_deal,
    reassign_deals,
    restore_deal,
    update_deal,
)
from vinculo.sales.services.lost_reasons import (
    create_lost_reason,
    delete_lost_reason,
    reorder_lost_reasons,
    update_lost_reason,
)
from vinculo.sales.services.pipelines import (
    archive_pipeline,
    create_pipeline,
    delete_pipeline,
    ensure_default_pipeline,
    update_pipeline,
)
from vinculo.sales.services.products import (
    archive_product,
    create_product,
    line_total,
    update_product,
)
from vinculo.sales.services.stages import (
    create_stage,
    delete_stage,
    reorder_stages,
    update_stage,
)

__all__ = [
    "archive_pipeline",
    "archive_product",
    "bulk_create_deals",
    "create_deal",
    "create_lost_reason",
    "create_pipeline",
    "create_product",
    "create_stage",
    "delete_deal",
    "delete_lost_reason",
    "delete_pipeline",
    "delete_stage",
    "ensure_default_pipeline",
    "line_total",
    "move_deal",
    "reassign_deals",
    "reorder_lost_reasons",
    "reorder_stages",
    "restore_deal",
    "update_deal",
    "update_lost_reason",
    "update_pipeline",
    "update_product",
    "update_stage",
]
