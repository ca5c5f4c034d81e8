"""Deals and products in the record pickers (registered in :mod:`vinculo.core.pickers` at
``ready()``): what matches the typed text (their lists' search, in one bounded query: far fewer
records than people), and the record a form shows as chosen."""

from __future__ import annotations

from vinculo.core.actor import Actor
from vinculo.core.collation import SortKey
from vinculo.core.pickers import PickOption
from vinculo.sales import selectors as sales
from vinculo.sales.models import Deal, Product


def deal_option(deal: Deal) -> PickOption:
    return PickOption(deal.pk, deal.title, deal.stage.name)


def product_option(product: Product) -> PickOption:
    return PickOption(product.pk, product.name, product.sku)


def search_deals(actor: Actor, text: str, limit: int) -> list[PickOption]:
    """Live deals the deal list's search finds for ``text``, by title."""
    deals = (
        sales.deals(actor, q=text)
        .prefetch_related(None)
        .select_related(None)  # the list's own joins (lost reason…) are not read here
        .select_related("stage")
        .only("title", "stage__name")
        .order_by(SortKey("title"), "pk")[:limit]
    )
    return [deal_option(deal) for deal in deals]


def search_products(actor: Actor, text: str, limit: int) -> list[PickOption]:
    """Live products the product list's search finds for ``text``, by name."""
    products = sales.products(actor, q=text).order_by(SortKey("name"), "pk")[:limit]
    return [product_option(product) for product in products]


def find_deal(actor: Actor, deal_id: int) -> PickOption | None:
    """The option of a deal of the workspace (in the bin too), or None."""
    deal = (
        Deal.objects.for_workspace(actor.workspace).select_related("stage").filter(pk=deal_id)
    ).first()
    return None if deal is None else deal_option(deal)


def find_product(actor: Actor, product_id: int) -> PickOption | None:
    """The option of a product of the workspace (in the bin too), or None."""
    product = Product.objects.for_workspace(actor.workspace).filter(pk=product_id).first()
    return None if product is None else product_option(product)
