"""Reads of pipelines, lost reasons, deals, the board and products, always scoped to the actor's
workspace. Callers import this package (``from vinculo.sales import selectors``), never its
modules (named apart from the functions they hold, so ``selectors.deals`` is always the
function). A module imports only those above it in this order (lower first)::

    structure    pipelines and their stages
    losses       a pipeline's lost reasons and the lost deals per reason
    catalogue    the product catalogue
    deal_reads   deal lists, one deal, the deals of a person or company, deal links
    kanban       the Kanban board (and when a deal is rotting)
    home         the home page's rotting deals and open totals
"""

from vinculo.sales.selectors.catalogue import get_product, products
from vinculo.sales.selectors.deal_reads import (
    RelatedDeals,
    deal_position,
    deals,
    get_deal,
    live_deal_links,
    parse_filter,
    related_deals,
)
from vinculo.sales.selectors.home import DealTotals, open_deal_totals, rotting_deals
from vinculo.sales.selectors.kanban import (
    Board,
    BoardColumn,
    CurrencyTotal,
    board,
    is_rotting,
)
from vinculo.sales.selectors.losses import (
    LostReasonCount,
    get_lost_reason,
    lost_reason_counts,
    lost_reason_summary,
    lost_reasons,
)
from vinculo.sales.selectors.structure import get_pipeline, get_stage, pipelines

__all__ = [
    "Board",
    "BoardColumn",
    "CurrencyTotal",
    "DealTotals",
    "LostReasonCount",
    "RelatedDeals",
    "board",
    "deal_position",
    "deals",
    "get_deal",
    "get_lost_reason",
    "get_pipeline",
    "get_product",
    "get_stage",
    "is_rotting",
    "live_deal_links",
    "lost_reason_counts",
    "lost_reason_summary",
    "lost_reasons",
    "open_deal_totals",
    "parse_filter",
    "pipelines",
    "products",
    "related_deals",
    "rotting_deals",
]
