"""Shipping fee, estimated ship and delivery dates, payment deadline (docs/rules.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from oms.domain.catalog import Flag, Product
from oms.domain.fulfilment import (
    COLD_CHAIN_SURCHARGE,
    CROSS_BORDER_SHIPPING_FEE,
    FREE_SHIPPING_FROM,
    STANDARD_SHIPPING_FEE,
    estimated_delivery_by,
    estimated_ship_by,
    payment_due_at,
    shipping_fee,
)

from tests.unit.order_builders import NOW, product

PLAIN = product("TEA-250", 3900)
FRESH = product("FISH-1", 12800, flags=[Flag.perishable])
ABROAD = product("WINE-FR", 15000, flags=[Flag.cross_border])
ABROAD_FRESH = product("CHEESE-FR", 8000, flags=[Flag.cross_border, Flag.perishable])
PRESALE = product("CONSOLE-9", 299900, flags=[Flag.presale])


def presale(ships_at: datetime | None, *flags: Flag) -> Product:
    return product("PRE-1", 100, flags=[Flag.presale, *flags], presale_ships_at=ships_at)


# ---------------------------------------------------------------- shipping fee


def test_the_documented_amounts() -> None:
    assert (FREE_SHIPPING_FROM, STANDARD_SHIPPING_FEE, COLD_CHAIN_SURCHARGE, CROSS_BORDER_SHIPPING_FEE) == (
        9900,
        1000,
        1500,
        3000,
    )


@pytest.mark.parametrize(
    ("products", "merchandise", "fee"),
    [
        ([PLAIN], 9899, 1000),
        ([PLAIN], 9900, 0),
        ([PLAIN], 0, 1000),
        ([PLAIN, PLAIN], 500_000, 0),
        ([FRESH], 9899, 2500),
        ([FRESH], 9900, 1500),
        ([PLAIN, FRESH], 100_000, 1500),
        ([ABROAD], 100, 3000),
        ([ABROAD], 1_000_000, 3000),
        ([PLAIN, ABROAD], 1_000_000, 3000),
        ([ABROAD_FRESH], 1_000_000, 4500),
        ([ABROAD, FRESH], 50, 4500),
        ([PRESALE], 299900, 0),
        ([], 0, 1000),
    ],
    ids=[
        "just-below-free",
        "at-free-threshold",
        "free-coupon-order-still-pays",
        "large",
        "perishable-small",
        "perishable-free-plus-surcharge",
        "mixed-perishable",
        "cross-border-small",
        "cross-border-never-free",
        "cross-border-mixed",
        "cross-border-perishable",
        "cross-border-and-perishable-lines",
        "presale-is-plain-for-fees",
        "nothing",
    ],
)
def test_shipping_fee(products: list[Product], merchandise: int, fee: int) -> None:
    assert shipping_fee(products, merchandise) == fee


# ---------------------------------------------------------------- estimated ship-by


def test_standard_goods_ship_within_48_hours() -> None:
    assert estimated_ship_by([PLAIN], NOW) == NOW + timedelta(hours=48)


def test_perishable_goods_ship_within_24_hours() -> None:
    assert estimated_ship_by([FRESH], NOW) == NOW + timedelta(hours=24)


def test_cross_border_goods_leave_like_standard_goods() -> None:
    assert estimated_ship_by([ABROAD], NOW) == NOW + timedelta(hours=48)


def test_presale_without_a_date_ships_within_15_days() -> None:
    assert estimated_ship_by([PRESALE], NOW) == NOW + timedelta(days=15)


def test_presale_with_a_date_ships_on_it() -> None:
    release = NOW + timedelta(days=40, hours=3)
    assert estimated_ship_by([presale(release)], NOW) == release


def test_presale_with_a_date_sooner_than_standard_handling_ships_like_stock_goods() -> None:
    release = NOW + timedelta(hours=2)
    assert estimated_ship_by([presale(release)], NOW) == NOW + timedelta(hours=48)


def test_presale_whose_date_has_passed_ships_like_stock_goods() -> None:
    assert estimated_ship_by([presale(NOW - timedelta(days=3))], NOW) == NOW + timedelta(hours=48)


def test_presale_beats_perishable_on_the_same_product() -> None:
    assert estimated_ship_by([presale(None, Flag.perishable)], NOW) == NOW + timedelta(days=15)


def test_the_slowest_line_sets_the_date() -> None:
    assert estimated_ship_by([FRESH, PLAIN], NOW) == NOW + timedelta(hours=48)
    assert estimated_ship_by([FRESH, PLAIN, PRESALE], NOW) == NOW + timedelta(days=15)
    release = NOW + timedelta(days=60)
    assert estimated_ship_by([PRESALE, presale(release)], NOW) == release


def test_no_products_ship_within_48_hours() -> None:
    assert estimated_ship_by([], NOW) == NOW + timedelta(hours=48)


def test_a_presale_date_without_an_offset_is_read_as_utc() -> None:
    """Stored from a back-office entry without "Z": it must compare with the aware clock, not crash."""
    naive = presale(datetime(2026, 12, 24, 0, 0))
    assert naive.presale_ships_at == datetime(2026, 12, 24, tzinfo=UTC)
    assert estimated_ship_by([naive], NOW) == datetime(2026, 12, 24, tzinfo=UTC)


# ---------------------------------------------------------------- estimated delivery-by

SHIP_BY = NOW + timedelta(hours=48)


@pytest.mark.parametrize(
    ("products", "transit"),
    [
        ([PLAIN], timedelta(days=3)),
        ([FRESH], timedelta(days=1)),
        ([FRESH, FRESH], timedelta(days=1)),
        ([FRESH, PLAIN], timedelta(days=3)),
        ([ABROAD], timedelta(days=10)),
        ([ABROAD_FRESH], timedelta(days=10)),
        ([PLAIN, ABROAD], timedelta(days=10)),
        ([PRESALE], timedelta(days=3)),
        ([], timedelta(days=3)),
    ],
    ids=[
        "standard",
        "perishable",
        "all-perishable",
        "mixed-perishable",
        "cross-border",
        "cross-border-perishable",
        "cross-border-mixed",
        "presale",
        "nothing",
    ],
)
def test_delivery_is_ship_by_plus_transit(products: list[Product], transit: timedelta) -> None:
    assert estimated_delivery_by(products, SHIP_BY) == SHIP_BY + transit


def test_order_promises_end_to_end() -> None:
    """What the confirmation notice promises, from the order time."""
    cases = {
        "standard": ([PLAIN], timedelta(days=5)),
        "perishable": ([FRESH], timedelta(days=2)),
        "presale-undated": ([PRESALE], timedelta(days=18)),
        "cross-border": ([ABROAD], timedelta(days=12)),
    }
    for name, (products, promise) in cases.items():
        assert estimated_delivery_by(products, estimated_ship_by(products, NOW)) == NOW + promise, name


# ---------------------------------------------------------------- payment deadline


@pytest.mark.parametrize("minutes", [1, 30, 1440])
def test_payment_is_due_after_the_timeout(minutes: int) -> None:
    assert payment_due_at(NOW, minutes) == NOW + timedelta(minutes=minutes)


def test_the_default_payment_timeout_is_thirty_minutes() -> None:
    # The template's parameter is the one default: the configuration has none of its own.
    from oms_local.template import load

    assert load().functions["ValidateOrderFunction"].environment["PAYMENT_TIMEOUT_MINUTES"] == "30"
    assert payment_due_at(NOW, 30) == datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
