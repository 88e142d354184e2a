"""check_order: every rule of "订单生成与确认", each problem named, totals and dates exact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from oms.domain.address import Address
from oms.domain.catalog import Flag
from oms.domain.coupons import REFUSAL_MESSAGES, Coupon, CouponUsage
from oms.domain.ordering import (
    MAX_LINES,
    PAYMENT_METHODS_BY_CHANNEL,
    Channel,
    OrderRejected,
    PaymentMethod,
    PlaceOrderRequest,
    PricedLine,
    Totals,
)
from oms.problems import FieldError
from pydantic import ValidationError

from tests.unit.order_builders import (
    NOW,
    address,
    catalogue,
    check,
    coupon,
    error_dicts,
    order_request,
    product,
    rejection,
)

TEA = product("TEA-250", 3900, category="food", flags=[Flag.food], name="Jasmine tea 250 g")
MUG = product("MUG-1", 2500, category="kitchen")
CUP = product("CUP-1", 1300, category="kitchen")
FISH = product("FISH-1", 12800, category="fresh", flags=[Flag.perishable, Flag.food])
BERRY = product("BERRY-1", 2000, category="fresh", flags=[Flag.perishable, Flag.food])
WINE = product("WINE-FR", 15000, category="drinks", flags=[Flag.cross_border])
CONSOLE = product("CONSOLE-9", 299900, category="games", flags=[Flag.presale])
SHOP = catalogue(TEA, MUG, CUP, FISH, BERRY, WINE, CONSOLE)


# ---------------------------------------------------------------- a valid order


def test_a_valid_order_is_priced_and_dated() -> None:
    draft = check(order_request(("TEA-250", 2, 3900)), SHOP)

    assert draft.order_id == "ord_test"
    assert draft.customer_id == "cus_1"
    assert draft.channel is Channel.web
    assert draft.payment_method is PaymentMethod.alipay
    assert draft.coupon_code is None
    assert draft.lines == [
        PricedLine(
            sku="TEA-250",
            name="Jasmine tea 250 g",
            category="food",
            flags=[Flag.food],
            quantity=2,
            unit_price=3900,
            line_total=7800,
            discount=0,
        )
    ]
    # 7 800 is below the 99.00 free-shipping threshold: standard fee 10.00.
    assert draft.totals == Totals(subtotal=7800, discount=0, shipping_fee=1000, total=8800, currency="CNY")
    assert draft.shipping_address == address()
    assert draft.placed_at == NOW
    assert draft.payment_due_at == NOW + timedelta(minutes=30)
    assert draft.estimated_ship_by == NOW + timedelta(hours=48)
    assert draft.estimated_delivery_by == NOW + timedelta(hours=48) + timedelta(days=3)


def test_lines_keep_the_request_order_and_price_from_the_catalogue() -> None:
    draft = check(order_request(("MUG-1", 1, 2500), ("TEA-250", 3, 3900)), SHOP)

    assert [(line.sku, line.quantity, line.unit_price, line.line_total) for line in draft.lines] == [
        ("MUG-1", 1, 2500, 2500),
        ("TEA-250", 3, 3900, 11700),
    ]
    assert draft.totals == Totals(subtotal=14200, discount=0, shipping_fee=0, total=14200, currency="CNY")


def test_exactly_the_stock_available_may_be_ordered() -> None:
    draft = check(order_request(("TEA-250", 4, 3900)), SHOP, available={"TEA-250": 4})
    assert draft.lines[0].quantity == 4


def test_exactly_max_per_order_may_be_ordered() -> None:
    limited = catalogue(product("TEA-250", 3900, max_per_order=5))
    draft = check(order_request(("TEA-250", 5, 3900)), limited)
    assert draft.lines[0].quantity == 5


def test_the_request_currency_is_used_when_given() -> None:
    usd = catalogue(product("HAT-1", 1500, currency="USD"))
    draft = check(order_request(("HAT-1", 1, 1500), currency="USD"), usd)
    assert draft.totals.currency == "USD"


def test_without_a_request_currency_the_first_product_sets_it() -> None:
    usd = catalogue(product("HAT-1", 1500, currency="USD"))
    assert check(order_request(("HAT-1", 1, 1500)), usd).totals.currency == "USD"


# ---------------------------------------------------------------- one problem at a time


def test_unknown_sku() -> None:
    rejected = rejection(order_request(("NOPE-1", 1, 100)), SHOP)

    assert error_dicts(rejected) == [
        {"field": "items[0].sku", "message": "no product NOPE-1", "code": "unknown_sku", "sku": "NOPE-1"}
    ]
    assert (rejected.code, rejected.status) == ("unknown_sku", 422)


def test_a_product_the_store_returned_as_missing_is_unknown() -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3900)), {"TEA-250": None})
    assert [e["code"] for e in error_dicts(rejected)] == ["unknown_sku"]


def test_inactive_product() -> None:
    retired = catalogue(product("OLD-1", 500, active=False))
    rejected = rejection(order_request(("OLD-1", 1, 500)), retired)

    assert error_dicts(rejected) == [
        {
            "field": "items[0].sku",
            "message": "OLD-1 is not on sale",
            "code": "product_inactive",
            "sku": "OLD-1",
        }
    ]
    assert (rejected.code, rejected.status) == ("product_inactive", 422)


def test_duplicate_line() -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3900), ("TEA-250", 2, 3900)), SHOP)

    assert error_dicts(rejected) == [
        {
            "field": "items[1].sku",
            "message": "appears twice; put the whole quantity on one line",
            "code": "duplicate_line",
        }
    ]
    assert (rejected.code, rejected.status) == ("duplicate_line", 422)


def test_quantity_above_the_per_order_limit() -> None:
    limited = catalogue(product("TEA-250", 3900, max_per_order=5))
    rejected = rejection(order_request(("TEA-250", 6, 3900)), limited)

    assert error_dicts(rejected) == [
        {
            "field": "items[0].quantity",
            "message": "at most 5 per order",
            "code": "quantity_limit",
            "sku": "TEA-250",
            "max_per_order": 5,
        }
    ]
    assert (rejected.code, rejected.status) == ("quantity_limit", 422)


def test_price_changed_names_the_current_price() -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3500)), SHOP)

    assert error_dicts(rejected) == [
        {
            "field": "items[0].unit_price",
            "message": "the price is now 3900",
            "code": "price_changed",
            "sku": "TEA-250",
            "current_price": 3900,
        }
    ]
    assert (rejected.code, rejected.status, rejected.title) == ("price_changed", 409, "Prices have changed")


def test_a_lower_catalogue_price_is_a_price_change_too() -> None:
    rejected = rejection(order_request(("TEA-250", 1, 4200)), SHOP)
    assert error_dicts(rejected)[0]["current_price"] == 3900
    assert rejected.status == 409


def test_insufficient_stock_names_what_is_available() -> None:
    rejected = rejection(order_request(("TEA-250", 2, 3900)), SHOP, available={"TEA-250": 1})

    assert error_dicts(rejected) == [
        {
            "field": "items[0].quantity",
            "message": "only 1 available",
            "code": "insufficient_stock",
            "sku": "TEA-250",
            "available": 1,
        }
    ]
    assert (rejected.code, rejected.status, rejected.title) == ("insufficient_stock", 409, "Not enough stock")


@pytest.mark.parametrize(
    "stock", [{"TEA-250": -3}, {"TEA-250": 0}, {}], ids=["negative", "zero", "no-record"]
)
def test_no_stock_is_reported_as_zero_available(stock: dict[str, int]) -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3900)), SHOP, available=stock)
    assert error_dicts(rejected) == [
        {
            "field": "items[0].quantity",
            "message": "only 0 available",
            "code": "insufficient_stock",
            "sku": "TEA-250",
            "available": 0,
        }
    ]


def test_currency_mismatch_with_the_request_currency() -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3900), currency="USD"), SHOP)

    assert error_dicts(rejected) == [
        {
            "field": "items[0].sku",
            "message": "TEA-250 is sold in CNY",
            "code": "currency_mismatch",
            "sku": "TEA-250",
        }
    ]
    assert (rejected.code, rejected.status) == ("currency_mismatch", 422)


def test_currency_mismatch_between_lines() -> None:
    mixed = catalogue(TEA, product("HAT-1", 1500, currency="USD"))
    rejected = rejection(order_request(("TEA-250", 1, 3900), ("HAT-1", 1, 1500)), mixed)

    assert error_dicts(rejected) == [
        {
            "field": "items[1].sku",
            "message": "HAT-1 is sold in USD",
            "code": "currency_mismatch",
            "sku": "HAT-1",
        }
    ]


def test_a_line_that_is_not_for_sale_is_not_checked_further() -> None:
    """Price and stock of an unknown, inactive or foreign-currency line mean nothing: one error per line."""
    shop = catalogue(product("OLD-1", 500, active=False), product("HAT-1", 1500, currency="USD"))
    rejected = rejection(
        order_request(("OLD-1", 9, 1), ("HAT-1", 9, 1), ("NOPE-1", 9, 1), currency="CNY"),
        shop,
        available={},
    )
    assert [(e["field"], e["code"]) for e in error_dicts(rejected)] == [
        ("items[0].sku", "product_inactive"),
        ("items[1].sku", "currency_mismatch"),
        ("items[2].sku", "unknown_sku"),
    ]


@pytest.mark.parametrize(
    ("channel", "method", "allowed"),
    [
        ("mini_program", "alipay", ["balance", "wechat_pay"]),
        ("mini_program", "card", ["balance", "wechat_pay"]),
        ("marketplace", "wechat_pay", ["alipay", "card"]),
        ("marketplace", "balance", ["alipay", "card"]),
    ],
)
def test_payment_method_not_available_on_the_channel(channel: str, method: str, allowed: list[str]) -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3900), payment_method=method, channel=channel), SHOP)

    assert error_dicts(rejected) == [
        {
            "field": "payment_method",
            "message": f"{method} is not available on {channel}",
            "code": "payment_method_unavailable",
            "available_methods": allowed,
        }
    ]
    assert (rejected.code, rejected.status) == ("payment_method_unavailable", 422)


@pytest.mark.parametrize(
    ("channel", "method"),
    [(c.value, m.value) for c, methods in PAYMENT_METHODS_BY_CHANNEL.items() for m in sorted(methods)],
)
def test_every_listed_payment_method_is_accepted_on_its_channel(channel: str, method: str) -> None:
    draft = check(order_request(("TEA-250", 1, 3900), payment_method=method, channel=channel), SHOP)
    assert (draft.channel.value, draft.payment_method.value) == (channel, method)


def test_payment_methods_per_channel_as_documented() -> None:
    assert {c.value: sorted(m.value for m in ms) for c, ms in PAYMENT_METHODS_BY_CHANNEL.items()} == {
        "web": ["alipay", "balance", "card", "wechat_pay"],
        "app": ["alipay", "balance", "card", "wechat_pay"],
        "mini_program": ["balance", "wechat_pay"],
        "marketplace": ["alipay", "card"],
    }


def test_incomplete_address_names_every_missing_field() -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3900), shipping_address=Address()), SHOP)

    assert error_dicts(rejected) == [
        {
            "field": f"shipping_address.{name}",
            "message": "is required to deliver the parcel",
            "code": "address_incomplete",
        }
        for name in ("recipient", "phone", "line1", "city", "region", "postal_code", "country")
    ]
    assert (rejected.code, rejected.status, rejected.title) == (
        "address_incomplete",
        422,
        "The shipping address is incomplete",
    )


def test_bad_phone_postal_code_and_country_are_address_problems() -> None:
    bad = address(phone="call me", postal_code="25000", country="CN")
    rejected = rejection(order_request(("TEA-250", 1, 3900), shipping_address=bad), SHOP)

    assert error_dicts(rejected) == [
        {"field": "shipping_address.phone", "message": "is not a phone number", "code": "address_incomplete"},
        {
            "field": "shipping_address.postal_code",
            "message": "is not a valid postal code for CN",
            "code": "address_incomplete",
        },
    ]
    assert rejected.code == "address_incomplete"


# ---------------------------------------------------------------- coupons through check_order


def _coupon_error(reason: str) -> dict[str, str]:
    return {
        "field": "coupon_code",
        "message": REFUSAL_MESSAGES[reason],
        "code": "coupon_invalid",
        "reason": reason,
    }


@pytest.mark.parametrize(
    ("offer", "usage", "reason"),
    [
        (None, CouponUsage(), "unknown"),
        (coupon(active=False), CouponUsage(), "unknown"),
        (coupon(starts_at=NOW + timedelta(seconds=1)), CouponUsage(), "not_started"),
        (coupon(ends_at=NOW), CouponUsage(), "expired"),
        (coupon(total_limit=100), CouponUsage(used=100), "exhausted"),
        (coupon(per_customer_limit=1), CouponUsage(used=5, used_by_customer=1), "already_used"),
        (coupon(categories=["kitchen"]), CouponUsage(), "not_applicable"),
        (coupon(min_subtotal=7801), CouponUsage(), "below_minimum"),
        (coupon(kind="fixed", value=500, currency="USD"), CouponUsage(), "currency"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_coupon_refusal_is_one_coupon_invalid_error(
    offer: Coupon | None, usage: CouponUsage, reason: str
) -> None:
    rejected = rejection(
        order_request(("TEA-250", 2, 3900), coupon_code="SAVE10"), SHOP, coupon=offer, usage=usage
    )

    assert error_dicts(rejected) == [_coupon_error(reason)]
    assert (rejected.code, rejected.status, rejected.title) == (
        "coupon_invalid",
        422,
        "The coupon cannot be used",
    )


def test_no_coupon_code_ignores_whatever_coupon_was_read() -> None:
    draft = check(order_request(("TEA-250", 2, 3900)), SHOP, coupon=coupon(value=50))
    assert draft.totals.discount == 0
    assert draft.coupon_code is None


def test_percent_coupon_is_rounded_down() -> None:
    odd = catalogue(product("ODD-1", 3333))
    draft = check(
        order_request(("ODD-1", 1, 3333), coupon_code="SAVE15"), odd, coupon=coupon("SAVE15", value=15)
    )
    # 15 % of 33.33 is 4.9995: the shopper gets 4.99.
    assert draft.totals == Totals(subtotal=3333, discount=499, shipping_fee=1000, total=3834, currency="CNY")
    assert draft.coupon_code == "SAVE15"


def test_a_coupon_reaching_exactly_its_minimum_applies() -> None:
    draft = check(
        order_request(("TEA-250", 2, 3900), coupon_code="SAVE10"), SHOP, coupon=coupon(min_subtotal=7800)
    )
    assert draft.totals.discount == 780


def test_fixed_discount_is_split_across_lines_exactly() -> None:
    """1000 over 3900 / 2500 / 1300: floors 506 / 324 / 168, the two spare units go to the largest remainders."""
    draft = check(
        order_request(("TEA-250", 1, 3900), ("MUG-1", 1, 2500), ("CUP-1", 1, 1300), coupon_code="MINUS10"),
        SHOP,
        coupon=coupon("MINUS10", kind="fixed", value=1000),
    )

    assert [line.discount for line in draft.lines] == [506, 325, 169]
    assert draft.totals == Totals(subtotal=7700, discount=1000, shipping_fee=1000, total=7700, currency="CNY")


def test_a_category_coupon_discounts_only_its_categories() -> None:
    draft = check(
        order_request(("TEA-250", 1, 3900), ("MUG-1", 1, 2500), ("CUP-1", 1, 1300), coupon_code="KITCHEN"),
        SHOP,
        coupon=coupon("KITCHEN", value=10, categories=["kitchen"]),
    )

    # 10 % of the kitchen lines (3 800) is 380, split 250 / 130; the tea pays full price.
    assert [line.discount for line in draft.lines] == [0, 250, 130]
    assert draft.totals == Totals(subtotal=7700, discount=380, shipping_fee=1000, total=8320, currency="CNY")


def test_a_category_coupon_minimum_counts_only_eligible_lines() -> None:
    rejected = rejection(
        order_request(("TEA-250", 3, 3900), ("MUG-1", 1, 2500), coupon_code="KITCHEN"),
        SHOP,
        coupon=coupon("KITCHEN", categories=["kitchen"], min_subtotal=3000),
    )
    assert error_dicts(rejected) == [_coupon_error("below_minimum")]


def test_a_fixed_coupon_larger_than_the_order_takes_off_the_merchandise_only() -> None:
    draft = check(
        order_request(("CUP-1", 1, 1300), coupon_code="BIG"),
        SHOP,
        coupon=coupon("BIG", kind="fixed", value=5000),
    )
    # The discount stops at the items; the shipping fee is still paid.
    assert draft.totals == Totals(subtotal=1300, discount=1300, shipping_fee=1000, total=1000, currency="CNY")
    assert draft.lines[0].discount == 1300


def test_a_coupon_in_another_currency_is_refused() -> None:
    rejected = rejection(
        order_request(("TEA-250", 2, 3900), coupon_code="SAVE10"), SHOP, coupon=coupon(currency="USD")
    )
    assert rejected.code == "coupon_invalid"
    assert rejected.errors[0].extra["reason"] == "currency"


def test_the_coupon_is_checked_at_the_moment_of_the_order() -> None:
    window = coupon(starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=1))
    draft = check(order_request(("TEA-250", 2, 3900), coupon_code="SAVE10"), SHOP, coupon=window)
    assert draft.totals.discount == 780
    rejected = rejection(
        order_request(("TEA-250", 2, 3900), coupon_code="SAVE10"),
        SHOP,
        coupon=window,
        now=NOW + timedelta(days=1),
    )
    assert error_dicts(rejected) == [_coupon_error("expired")]


# ---------------------------------------------------------------- shipping fee and dates through check_order


def test_the_free_shipping_threshold_is_checked_after_the_discount() -> None:
    pricey = catalogue(product("BAG-1", 10000))
    full = check(order_request(("BAG-1", 1, 10000)), pricey)
    assert full.totals == Totals(subtotal=10000, discount=0, shipping_fee=0, total=10000, currency="CNY")

    discounted = check(
        order_request(("BAG-1", 1, 10000), coupon_code="MINUS2"),
        pricey,
        coupon=coupon("MINUS2", "fixed", 200),
    )
    # 100.00 - 2.00 = 98.00 < 99.00: the standard fee is back.
    assert discounted.totals == Totals(
        subtotal=10000, discount=200, shipping_fee=1000, total=10800, currency="CNY"
    )


def test_perishable_order_pays_the_cold_chain_surcharge_and_ships_within_a_day() -> None:
    draft = check(order_request(("FISH-1", 1, 12800)), SHOP)

    assert draft.totals == Totals(subtotal=12800, discount=0, shipping_fee=1500, total=14300, currency="CNY")
    assert draft.estimated_ship_by == NOW + timedelta(hours=24)
    assert draft.estimated_delivery_by == NOW + timedelta(hours=24) + timedelta(days=1)


def test_small_perishable_order_pays_standard_fee_plus_surcharge() -> None:
    draft = check(order_request(("BERRY-1", 2, 2000)), SHOP)
    assert draft.totals == Totals(subtotal=4000, discount=0, shipping_fee=2500, total=6500, currency="CNY")


def test_mixed_perishable_order_waits_for_the_slowest_line() -> None:
    draft = check(order_request(("FISH-1", 1, 12800), ("TEA-250", 1, 3900)), SHOP)

    assert draft.totals.shipping_fee == 1500
    assert draft.estimated_ship_by == NOW + timedelta(hours=48)
    # Not everything is perishable: standard transit.
    assert draft.estimated_delivery_by == NOW + timedelta(hours=48) + timedelta(days=3)


def test_cross_border_order_pays_the_flat_fee_and_takes_ten_days_in_transit() -> None:
    draft = check(order_request(("WINE-FR", 1, 15000)), SHOP)

    # Above the free-shipping threshold, still 30.00: cross-border shipping is never free.
    assert draft.totals == Totals(subtotal=15000, discount=0, shipping_fee=3000, total=18000, currency="CNY")
    assert draft.estimated_ship_by == NOW + timedelta(hours=48)
    assert draft.estimated_delivery_by == NOW + timedelta(hours=48) + timedelta(days=10)


def test_presale_without_a_date_ships_within_fifteen_days() -> None:
    draft = check(order_request(("CONSOLE-9", 1, 299900)), SHOP)

    assert draft.estimated_ship_by == NOW + timedelta(days=15)
    assert draft.estimated_delivery_by == NOW + timedelta(days=18)


def test_presale_with_a_date_ships_on_that_date_and_holds_the_whole_order() -> None:
    release = NOW + timedelta(days=40)
    shop = catalogue(TEA, product("CONSOLE-9", 299900, flags=[Flag.presale], presale_ships_at=release))
    draft = check(order_request(("TEA-250", 1, 3900), ("CONSOLE-9", 1, 299900)), shop)

    assert draft.estimated_ship_by == release
    assert draft.estimated_delivery_by == release + timedelta(days=3)


# ---------------------------------------------------------------- several problems in one answer


def test_every_problem_is_named_in_one_answer() -> None:
    shop = catalogue(TEA, MUG, product("OLD-1", 500, active=False))
    request = order_request(
        ("TEA-250", 3, 3500),
        ("NOPE-1", 1, 100),
        ("MUG-1", 1, 2500),
        ("OLD-1", 1, 500),
        ("TEA-250", 1, 3900),
        shipping_address=address(city="", postal_code="ABC"),
        payment_method="alipay",
        channel="mini_program",
        coupon_code="SAVE10",
    )
    rejected = rejection(
        request,
        shop,
        available={"TEA-250": 2, "MUG-1": 1},
        coupon=coupon(ends_at=NOW - timedelta(days=1)),
    )

    assert error_dicts(rejected) == [
        {
            "field": "items[0].unit_price",
            "message": "the price is now 3900",
            "code": "price_changed",
            "sku": "TEA-250",
            "current_price": 3900,
        },
        {
            "field": "items[0].quantity",
            "message": "only 2 available",
            "code": "insufficient_stock",
            "sku": "TEA-250",
            "available": 2,
        },
        {"field": "items[1].sku", "message": "no product NOPE-1", "code": "unknown_sku", "sku": "NOPE-1"},
        {
            "field": "items[3].sku",
            "message": "OLD-1 is not on sale",
            "code": "product_inactive",
            "sku": "OLD-1",
        },
        {
            "field": "items[4].sku",
            "message": "appears twice; put the whole quantity on one line",
            "code": "duplicate_line",
        },
        {
            "field": "shipping_address.city",
            "message": "is required to deliver the parcel",
            "code": "address_incomplete",
        },
        {
            "field": "shipping_address.postal_code",
            "message": "is not a valid postal code for CN",
            "code": "address_incomplete",
        },
        {
            "field": "payment_method",
            "message": "alipay is not available on mini_program",
            "code": "payment_method_unavailable",
            "available_methods": ["balance", "wechat_pay"],
        },
        _coupon_error("expired"),
    ]
    assert (rejected.code, rejected.status, rejected.title) == (
        "order_invalid",
        422,
        "The order cannot be placed",
    )
    assert rejected.detail == "The order cannot be placed as it is; each error says what to change."


def test_one_line_can_carry_several_problems() -> None:
    limited = catalogue(product("TEA-250", 3900, max_per_order=5))
    rejected = rejection(order_request(("TEA-250", 6, 3800)), limited, available={"TEA-250": 4})

    assert [(e["field"], e["code"]) for e in error_dicts(rejected)] == [
        ("items[0].quantity", "quantity_limit"),
        ("items[0].unit_price", "price_changed"),
        ("items[0].quantity", "insufficient_stock"),
    ]
    assert (rejected.code, rejected.status) == ("order_invalid", 422)


def test_several_short_lines_share_the_insufficient_stock_code() -> None:
    rejected = rejection(
        order_request(("TEA-250", 5, 3900), ("MUG-1", 2, 2500)), SHOP, available={"TEA-250": 3, "MUG-1": 0}
    )

    assert error_dicts(rejected) == [
        {
            "field": "items[0].quantity",
            "message": "only 3 available",
            "code": "insufficient_stock",
            "sku": "TEA-250",
            "available": 3,
        },
        {
            "field": "items[1].quantity",
            "message": "only 0 available",
            "code": "insufficient_stock",
            "sku": "MUG-1",
            "available": 0,
        },
    ]
    assert (rejected.code, rejected.status) == ("insufficient_stock", 409)


def test_price_changes_and_short_stock_together_are_still_a_conflict() -> None:
    rejected = rejection(
        order_request(("TEA-250", 1, 3000), ("MUG-1", 2, 2500)), SHOP, available={"TEA-250": 9, "MUG-1": 1}
    )

    assert [e["code"] for e in error_dicts(rejected)] == ["price_changed", "insufficient_stock"]
    # Both only say the basket is stale: the shopper resubmits, nothing else is wrong.
    assert (rejected.code, rejected.status) == ("order_invalid", 409)


def test_a_conflict_with_anything_else_is_unprocessable() -> None:
    rejected = rejection(order_request(("TEA-250", 1, 3000), ("NOPE-1", 1, 1)), SHOP)
    assert (rejected.code, rejected.status) == ("order_invalid", 422)


@pytest.mark.parametrize(
    ("codes", "code", "status"),
    [
        (["price_changed"], "price_changed", 409),
        (["insufficient_stock", "insufficient_stock"], "insufficient_stock", 409),
        (["price_changed", "insufficient_stock"], "order_invalid", 409),
        (["coupon_invalid"], "coupon_invalid", 422),
        (["address_incomplete", "address_incomplete"], "address_incomplete", 422),
        (["price_changed", "address_incomplete"], "order_invalid", 422),
        (["unknown_sku", "duplicate_line"], "order_invalid", 422),
    ],
)
def test_top_level_code_and_status(codes: list[str], code: str, status: int) -> None:
    rejected = OrderRejected([FieldError(f"f{i}", "m", {"code": c}) for i, c in enumerate(codes)])
    assert (rejected.code, rejected.status) == (code, status)


def test_the_rejection_is_a_problem_json_body() -> None:
    rejected = rejection(order_request(("TEA-250", 2, 3900)), SHOP, available={"TEA-250": 1})

    assert rejected.to_dict() == {
        "type": "https://errors.oms.example/insufficient_stock",
        "title": "Not enough stock",
        "status": 409,
        "detail": "Some items are short; lower the quantities to what is available or remove them.",
        "code": "insufficient_stock",
        "errors": [
            {
                "field": "items[0].quantity",
                "message": "only 1 available",
                "code": "insufficient_stock",
                "sku": "TEA-250",
                "available": 1,
            }
        ],
    }


# ---------------------------------------------------------------- the request's own shape


def _raw(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "items": [{"sku": "TEA-250", "quantity": 1, "unit_price": 3900}],
        "shipping_address": address().model_dump(),
        "payment_method": "alipay",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "overrides",
    [
        {"items": []},
        {"items": [{"sku": f"S-{i}", "quantity": 1, "unit_price": 1} for i in range(MAX_LINES + 1)]},
        {"items": [{"sku": "TEA-250", "quantity": 0, "unit_price": 3900}]},
        {"items": [{"sku": "TEA-250", "quantity": 1000, "unit_price": 3900}]},
        {"items": [{"sku": "TEA-250", "quantity": "1", "unit_price": 3900}]},
        {"items": [{"sku": "TEA-250", "quantity": 1, "unit_price": 39.0}]},
        {"items": [{"sku": "TEA-250", "quantity": 1, "unit_price": -1}]},
        {"items": [{"sku": "bad sku!", "quantity": 1, "unit_price": 1}]},
        {"payment_method": "cash"},
        {"channel": "fax"},
        {"currency": "cny"},
        {"coupon_code": "X" * 33},
        {"gift_wrap": True},
    ],
    ids=[
        "no-items",
        "too-many-lines",
        "zero-quantity",
        "quantity-over-999",
        "quantity-as-string",
        "price-as-float",
        "negative-price",
        "bad-sku",
        "unknown-payment-method",
        "unknown-channel",
        "lower-case-currency",
        "long-coupon-code",
        "unknown-field",
    ],
)
def test_malformed_requests_are_refused_before_any_rule(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PlaceOrderRequest.model_validate(_raw(**overrides))


def test_the_channel_defaults_to_web() -> None:
    assert PlaceOrderRequest.model_validate(_raw()).channel is Channel.web


def test_thirty_lines_are_accepted() -> None:
    items = [{"sku": f"S-{i}", "quantity": 1, "unit_price": 100} for i in range(MAX_LINES)]
    request = PlaceOrderRequest.model_validate(_raw(items=items))
    shop = catalogue(*(product(f"S-{i}", 100) for i in range(MAX_LINES)))
    draft = check(request, shop)
    assert len(draft.lines) == MAX_LINES == 30
    assert draft.totals.subtotal == 3000
