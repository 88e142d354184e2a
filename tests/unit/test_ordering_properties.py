"""Properties of check_order over random valid baskets: the totals always add up, to the minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oms.domain.catalog import Flag, Product
from oms.domain.coupons import Coupon, CouponKind, CouponUsage
from oms.domain.ordering import PAYMENT_METHODS_BY_CHANNEL, OrderLineRequest, OrderRejected, PlaceOrderRequest
from oms.problems import FieldError

from tests.unit.order_builders import NOW, address, check

CATEGORIES = ("food", "kitchen", "fresh", "games", "drinks")


@dataclass
class Basket:
    request: PlaceOrderRequest
    products: dict[str, Product | None]
    available: dict[str, int]
    coupon: Coupon | None
    usage: CouponUsage


@st.composite
def products(draw: st.DrawFn, index: int) -> Product:
    flags = draw(st.lists(st.sampled_from(list(Flag)), unique=True, max_size=3))
    ships_at = None
    if Flag.presale in flags:
        ships_at = draw(
            st.none()
            | st.datetimes(
                min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
            )
        )
    return Product(
        sku=f"SKU-{index}",
        name=f"Product {index}",
        price=draw(st.integers(min_value=1, max_value=10**7)),
        currency="CNY",
        category=draw(st.sampled_from(CATEGORIES)),
        flags=flags,
        max_per_order=draw(st.integers(min_value=1, max_value=999)),
        presale_ships_at=ships_at,
    )


@st.composite
def valid_baskets(draw: st.DrawFn) -> Basket:
    catalogue = [draw(products(i)) for i in range(draw(st.integers(min_value=1, max_value=8)))]
    quantities = [draw(st.integers(min_value=1, max_value=p.max_per_order)) for p in catalogue]
    available = {
        p.sku: q + draw(st.integers(min_value=0, max_value=5))
        for p, q in zip(catalogue, quantities, strict=True)
    }
    channel = draw(st.sampled_from(list(PAYMENT_METHODS_BY_CHANNEL)))
    method = draw(st.sampled_from(sorted(PAYMENT_METHODS_BY_CHANNEL[channel])))

    offer = None
    usage = CouponUsage()
    if draw(st.booleans()):
        present = sorted({p.category for p in catalogue})
        categories = draw(st.lists(st.sampled_from(present), unique=True, max_size=len(present)))
        eligible = sum(
            p.price * q
            for p, q in zip(catalogue, quantities, strict=True)
            if not categories or p.category in categories
        )
        kind = draw(st.sampled_from(list(CouponKind)))
        used = draw(st.integers(min_value=0, max_value=50))
        used_by_customer = draw(st.integers(min_value=0, max_value=used))
        offer = Coupon(
            code="PROMO",
            kind=kind,
            value=draw(st.integers(1, 100) if kind is CouponKind.percent else st.integers(1, 10**9)),
            min_subtotal=draw(st.integers(min_value=0, max_value=eligible)),
            starts_at=NOW - timedelta(seconds=draw(st.integers(0, 10**7))),
            ends_at=NOW + timedelta(seconds=draw(st.integers(1, 10**7))),
            total_limit=draw(st.none() | st.integers(min_value=used + 1, max_value=used + 100)),
            per_customer_limit=draw(st.none() | st.integers(min_value=used_by_customer + 1, max_value=99)),
            categories=categories,
        )
        usage = CouponUsage(used=used, used_by_customer=used_by_customer)

    request = PlaceOrderRequest(
        items=[
            OrderLineRequest(sku=p.sku, quantity=q, unit_price=p.price)
            for p, q in zip(catalogue, quantities, strict=True)
        ],
        shipping_address=address(),
        payment_method=method,
        coupon_code=offer.code if offer else None,
        channel=channel,
    )
    return Basket(request, {p.sku: p for p in catalogue}, available, offer, usage)


def _expected_fee(lines: list[Product], merchandise: int) -> int:
    cold_chain = 1500 if any(Flag.perishable in p.flags for p in lines) else 0
    if any(Flag.cross_border in p.flags for p in lines):
        return 3000 + cold_chain
    return (0 if merchandise >= 9900 else 1000) + cold_chain


@settings(max_examples=150, deadline=None)
@given(basket=valid_baskets())
def test_totals_always_add_up(basket: Basket) -> None:
    draft = check(
        basket.request, basket.products, available=basket.available, coupon=basket.coupon, usage=basket.usage
    )
    totals = draft.totals
    catalogue = [basket.products[line.sku] for line in basket.request.items]

    assert totals.subtotal == sum(line.line_total for line in draft.lines)
    assert all(line.line_total == line.unit_price * line.quantity for line in draft.lines)
    assert totals.total == totals.subtotal - totals.discount + totals.shipping_fee
    assert sum(line.discount for line in draft.lines) == totals.discount
    assert 0 <= totals.discount <= totals.subtotal
    assert all(0 <= line.discount <= line.line_total for line in draft.lines)
    assert totals.shipping_fee == _expected_fee(
        [p for p in catalogue if p], totals.subtotal - totals.discount
    )
    assert totals.total >= totals.shipping_fee
    if basket.coupon is None:
        assert totals.discount == 0
    elif basket.coupon.categories:
        outside = [line for line in draft.lines if line.category not in basket.coupon.categories]
        assert all(line.discount == 0 for line in outside)

    assert draft.payment_due_at == NOW + timedelta(minutes=30)
    assert NOW <= draft.estimated_ship_by <= draft.estimated_delivery_by - timedelta(days=1)


@settings(max_examples=75, deadline=None)
@given(basket=valid_baskets(), data=st.data())
def test_short_stock_names_exactly_the_short_lines(basket: Basket, data: st.DataObject) -> None:
    lines = basket.request.items
    short = data.draw(st.sets(st.integers(min_value=0, max_value=len(lines) - 1), min_size=1))
    available = dict(basket.available)
    for i in short:
        available[lines[i].sku] = data.draw(st.integers(min_value=-3, max_value=lines[i].quantity - 1))

    with pytest.raises(OrderRejected) as caught:
        check(basket.request, basket.products, available=available, coupon=basket.coupon, usage=basket.usage)

    assert [e.to_dict() for e in caught.value.errors] == [
        {
            "field": f"items[{i}].quantity",
            "message": f"only {max(available[lines[i].sku], 0)} available",
            "code": "insufficient_stock",
            "sku": lines[i].sku,
            "available": max(available[lines[i].sku], 0),
        }
        for i in sorted(short)
    ]
    assert (caught.value.code, caught.value.status) == ("insufficient_stock", 409)


CODES = (
    "price_changed",
    "insufficient_stock",
    "unknown_sku",
    "product_inactive",
    "duplicate_line",
    "quantity_limit",
    "currency_mismatch",
    "coupon_invalid",
    "address_incomplete",
    "payment_method_unavailable",
)


@settings(max_examples=200)
@given(codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=12))
def test_top_level_code_and_status_follow_the_errors(codes: list[str]) -> None:
    rejected = OrderRejected([FieldError(f"f{i}", "m", {"code": c}) for i, c in enumerate(codes)])

    assert rejected.code == (codes[0] if len(set(codes)) == 1 else "order_invalid")
    assert rejected.status == (409 if set(codes) <= {"price_changed", "insufficient_stock"} else 422)
    assert [e["code"] for e in rejected.to_dict()["errors"]] == codes
