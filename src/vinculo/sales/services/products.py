"""Products and deal lines: the catalogue (add, change, archive) and the line items a deal
sells, cleaned here for :mod:`.deals` (a line's product is looked up through the caller, which
caches the workspace's products).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound
from vinculo.core.permissions import require
from vinculo.core.validators import clean_currency, clean_decimal, clean_name
from vinculo.sales.models import Deal, LineItem, Product
from vinculo.sales.validation import CENT, ZERO, clean_id, collect, raise_if

MAX_LINE_ITEMS = 200

# --- the catalogue ----------------------------------------------------------------------------


def _clean_product(actor: Actor, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    if "name" in data or creating:
        name = collect(errors, clean_name, data.get("name"), "name", required=True)
        if name is not None:
            cleaned["name"] = name
    if "sku" in data:
        sku = collect(errors, clean_name, data.get("sku"), "sku", max_length=60)
        if sku is not None:
            cleaned["sku"] = sku
    if "unit_price" in data or creating:
        price = collect(errors, clean_decimal, data.get("unit_price"), "unit_price", minimum=ZERO)
        if price is not None or creating:
            cleaned["unit_price"] = price if price is not None else ZERO
    if "currency" in data or creating:
        raw = data.get("currency") or actor.workspace.default_currency
        currency = collect(errors, clean_currency, raw, "currency")
        if currency is not None:
            cleaned["currency"] = currency
    if data.get("is_active") is not None:
        cleaned["is_active"] = bool(data["is_active"])
    raise_if(errors)
    return cleaned


def create_product(*, actor: Actor, data: dict[str, Any]) -> Product:
    """Add a product (name, sku, unit_price ≥ 0, currency) to the catalogue."""
    require(actor, "settings.manage")
    cleaned = _clean_product(actor, data, creating=True)
    with transaction.atomic():
        product = Product.objects.create(
            workspace=actor.workspace, created_by=actor.user, **cleaned
        )
        audit.record(actor, "product.created", product, changes={"name": [None, product.name]})
        events.emit(
            "product.created",
            actor=actor,
            subject=product,
            payload={
                "name": product.name,
                "unit_price": str(product.unit_price),
                "currency": product.currency,
            },
        )
    return product


def _product_for_update(actor: Actor, product_id: int) -> Product:
    product = (
        Product.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise NotFound(_("No product with id %(id)s.") % {"id": product_id})
    return product


def update_product(*, actor: Actor, product_id: int, data: dict[str, Any]) -> Product:
    """Change a product's name, sku, price, currency or active flag (existing line items keep
    the price they were sold at)."""
    require(actor, "settings.manage")
    cleaned = _clean_product(actor, data, creating=False)
    with transaction.atomic():
        product = _product_for_update(actor, product_id)
        changes = audit.diff({k: getattr(product, k) for k in cleaned}, cleaned)
        if not changes:
            return product
        for key, value in cleaned.items():
            setattr(product, key, value)
        product.save(update_fields=[*cleaned, "updated_at"])
        changes = {k: [str(a) if a is not None else None, str(b)] for k, (a, b) in changes.items()}
        audit.record(actor, "product.updated", product, changes=changes)
        events.emit("product.updated", actor=actor, subject=product, payload={"changes": changes})
    return product


def archive_product(*, actor: Actor, product_id: int) -> Product:
    """Take a product out of the catalogue (``is_active`` false); deals that sold it keep it."""
    require(actor, "settings.manage")
    with transaction.atomic():
        product = _product_for_update(actor, product_id)
        if not product.is_active:
            return product
        product.is_active = False
        product.save(update_fields=["is_active", "updated_at"])
        audit.record(actor, "product.archived", product, changes={"is_active": [True, False]})
        events.emit("product.archived", actor=actor, subject=product, payload={})
    return product


# --- deal lines -------------------------------------------------------------------------------


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """quantity times unit price less the discount, rounded half-up to cents."""
    gross = quantity * unit_price * (Decimal(100) - discount_percent) / Decimal(100)
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


def clean_line_items(
    product_of: Callable[[int], Product | None], value: Any, errors: list[FieldError]
) -> list[dict[str, Any]] | None:
    """A deal's ``line_items`` as rows to write (product, name, quantity, unit price, discount,
    position), or None when ``value`` is not a list or too long; bad fields go to ``errors``."""
    if not isinstance(value, list):
        errors.append(FieldError("line_items", _("Send a list of line items."), "invalid_type"))
        return None
    if len(value) > MAX_LINE_ITEMS:
        errors.append(
            FieldError(
                "line_items",
                _("At most %(n)s line items per deal.") % {"n": MAX_LINE_ITEMS},
                "too_many",
            )
        )
        return None
    items: list[dict[str, Any]] = []
    for i, raw in enumerate(value):
        prefix = f"line_items.{i}."
        if not isinstance(raw, dict):
            errors.append(FieldError(f"line_items.{i}", _("Send an object."), "invalid_type"))
            continue
        before = len(errors)
        product = None
        product_id = clean_id(raw.get("product_id"), f"{prefix}product_id", errors)
        if product_id is not None:
            product = product_of(product_id)
            if product is None:
                errors.append(
                    FieldError(
                        f"{prefix}product_id",
                        _("No product with this id in the workspace."),
                        "not_found",
                    )
                )
        name = collect(
            errors,
            clean_name,
            raw.get("name") or (product.name if product else ""),
            f"{prefix}name",
            # an unknown product is the one error to report, not the missing name too
            required=product_id is None or product is not None,
        )
        quantity = collect(
            errors, clean_decimal, raw.get("quantity"), f"{prefix}quantity", places=3, max_digits=12
        )
        if quantity is not None and quantity <= 0:
            errors.append(
                FieldError(f"{prefix}quantity", _("Must be more than zero."), "too_small")
            )
        unit_price = collect(
            errors, clean_decimal, raw.get("unit_price"), f"{prefix}unit_price", minimum=ZERO
        )
        discount = collect(
            errors,
            clean_decimal,
            raw.get("discount_percent"),
            f"{prefix}discount_percent",
            max_digits=5,
            minimum=ZERO,
        )
        if discount is not None and discount > 100:
            errors.append(
                FieldError(f"{prefix}discount_percent", _("At most 100 (per cent)."), "too_large")
            )
        if len(errors) > before:
            continue
        if unit_price is None:
            unit_price = product.unit_price if product else ZERO
        items.append(
            {
                "product": product,
                "name": name,
                "quantity": quantity if quantity is not None else Decimal(1),
                "unit_price": unit_price,
                "discount_percent": discount if discount is not None else ZERO,
                "position": i,
            }
        )
    return items


def line_item_rows(actor: Actor, deal: Deal, items: list[dict[str, Any]]) -> list[LineItem]:
    """Unsaved line items of ``deal`` for items cleaned by :func:`clean_line_items`."""
    return [
        LineItem(
            workspace_id=actor.workspace.pk,
            created_by_id=actor.user.pk if actor.user is not None else None,
            deal_id=deal.pk,
            product=item["product"],
            name=item["name"],
            quantity=item["quantity"],
            unit_price=item["unit_price"],
            discount_percent=item["discount_percent"],
            position=item["position"],
        )
        for item in items
    ]
