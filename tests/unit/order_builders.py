"""Small builders for the ordering rules' unit tests: a catalogue, an address, a request, a check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from oms.domain.address import Address
from oms.domain.catalog import Flag, Product
from oms.domain.coupons import Coupon, CouponUsage
from oms.domain.ordering import OrderDraft, OrderRejected, PlaceOrderRequest, check_order

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
PAYMENT_TIMEOUT_MINUTES = 30
PLENTY = 1_000


def product(
    sku: str = "TEA-250",
    price: int = 3900,
    *,
    category: str = "food",
    flags: Iterable[Flag] = (),
    **fields: Any,
) -> Product:
    return Product(
        sku=sku,
        name=fields.pop("name", f"Product {sku}"),
        price=price,
        currency=fields.pop("currency", "CNY"),
        category=category,
        flags=list(flags),
        **fields,
    )


def catalogue(*products: Product) -> dict[str, Product | None]:
    return {p.sku: p for p in products}


def address(**overrides: Any) -> Address:
    fields: dict[str, Any] = {
        "recipient": "王芳",
        "phone": "+8613800000000",
        "line1": "人民路 1 号",
        "city": "济南",
        "region": "山东",
        "postal_code": "250000",
        "country": "CN",
    }
    fields.update(overrides)
    return Address(**fields)


def order_request(
    *lines: tuple[str, int, int],
    shipping_address: Address | None = None,
    payment_method: str = "alipay",
    **fields: Any,
) -> PlaceOrderRequest:
    """``lines`` are (sku, quantity, unit_price) as the shopper sent them."""
    return PlaceOrderRequest.model_validate(
        {
            "items": [{"sku": s, "quantity": q, "unit_price": p} for s, q, p in lines],
            "shipping_address": (shipping_address or address()).model_dump(),
            "payment_method": payment_method,
            **fields,
        }
    )


def coupon(code: str = "SAVE10", kind: str = "percent", value: int = 10, **fields: Any) -> Coupon:
    return Coupon.model_validate({"code": code, "kind": kind, "value": value, **fields})


def check(
    request: PlaceOrderRequest,
    products: Mapping[str, Product | None],
    *,
    available: Mapping[str, int] | None = None,
    coupon: Coupon | None = None,
    usage: CouponUsage | None = None,
    now: datetime = NOW,
) -> OrderDraft:
    """``check_order`` with plenty of stock for every known product unless ``available`` says otherwise."""
    return check_order(
        request,
        order_id="ord_test",
        customer_id="cus_1",
        products=products,
        available=available if available is not None else dict.fromkeys(products, PLENTY),
        coupon=coupon,
        coupon_usage=usage or CouponUsage(),
        now=now,
        payment_timeout_minutes=PAYMENT_TIMEOUT_MINUTES,
    )


def rejection(
    request: PlaceOrderRequest, products: Mapping[str, Product | None], **kwargs: Any
) -> OrderRejected:
    with pytest.raises(OrderRejected) as caught:
        check(request, products, **kwargs)
    return caught.value


def error_dicts(rejected: OrderRejected) -> list[dict[str, Any]]:
    return [e.to_dict() for e in rejected.errors]
