"""The product catalogue."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.sales.models import Product


def products(
    actor: Actor, *, q: str | None = None, include_archived: bool = False
) -> QuerySet[Product]:
    """The product catalogue; archived (inactive) products only on request."""
    require(actor, "records.view")
    qs = Product.objects.for_workspace(actor.workspace)
    if not include_archived:
        qs = qs.filter(is_active=True)
    if q and q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(sku__icontains=q.strip()))
    return qs


def get_product(actor: Actor, product_id: int) -> Product:
    product = products(actor, include_archived=True).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No product with id %(id)s.") % {"id": product_id})
    return product
