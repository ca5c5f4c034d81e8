"""API of the product catalogue: list, add, change, archive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, PageOut
from vinculo.sales import selectors, services
from vinculo.sales.models import Product

router = Router()  # tagged "sales" where the package mounts it

Number = str | int | float  # a decimal, sent as a string or a JSON number


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    unit_price: str
    currency: str
    is_active: bool
    created_at: datetime


class ProductIn(Schema):
    name: str
    sku: str = ""
    unit_price: Number = "0"
    currency: str | None = None


class ProductPatch(Schema):
    name: str | None = None
    sku: str | None = None
    unit_price: Number | None = None
    currency: str | None = None
    is_active: bool | None = None


class ProductQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    q: str | None = None
    archived: bool = Field(False, description="Include archived products.")


def product_out(p: Product) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "sku": p.sku,
        "unit_price": str(p.unit_price),
        "currency": p.currency,
        "is_active": p.is_active,
        "created_at": p.created_at,
    }


@router.get("/products", response={200: PageOut[ProductOut], **ERRORS})
def list_products(request: HttpRequest, query: Query[ProductQuery]) -> dict[str, Any]:
    qs = selectors.products(actor_of(request), q=query.q, include_archived=query.archived)
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="pk")
    return {"items": [product_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/products", response={201: ProductOut, **ERRORS})
def create_product(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    product = services.create_product(
        actor=actor_of(request), data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, product_out(product))


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS})
def patch_product(request: HttpRequest, product_id: Id, payload: ProductPatch) -> dict[str, Any]:
    product = services.update_product(
        actor=actor_of(request), product_id=product_id, data=payload.model_dump(exclude_unset=True)
    )
    return product_out(product)


@router.delete(
    "/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="Archive a product"
)
def archive_product(request: HttpRequest, product_id: Id) -> dict[str, Any]:
    return product_out(services.archive_product(actor=actor_of(request), product_id=product_id))
