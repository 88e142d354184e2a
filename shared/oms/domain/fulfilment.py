"""Shipping fees, promised dates and payment deadlines: the documented rules (docs/rules.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

from oms.domain.catalog import Flag, Product

FREE_SHIPPING_FROM = 99_00  # merchandise total after discount, minor units
STANDARD_SHIPPING_FEE = 10_00
COLD_CHAIN_SURCHARGE = 15_00  # perishable goods travel chilled, whatever the order total
CROSS_BORDER_SHIPPING_FEE = 30_00

SHIP_WITHIN = timedelta(hours=48)
PERISHABLE_SHIP_WITHIN = timedelta(hours=24)
PRESALE_DEFAULT_SHIP_WITHIN = timedelta(days=15)
TRANSIT = timedelta(days=3)
PERISHABLE_TRANSIT = timedelta(days=1)
CROSS_BORDER_TRANSIT = timedelta(days=10)


def shipping_fee(products: list[Product], merchandise_total: int) -> int:
    cross_border = any(p.has(Flag.cross_border) for p in products)
    if cross_border:
        fee = CROSS_BORDER_SHIPPING_FEE
    else:
        fee = 0 if merchandise_total >= FREE_SHIPPING_FROM else STANDARD_SHIPPING_FEE
    if any(p.has(Flag.perishable) for p in products):
        fee += COLD_CHAIN_SURCHARGE
    return fee


def estimated_ship_by(products: list[Product], placed_at: datetime) -> datetime:
    """The slowest line sets the date: one parcel leaves when everything in it is ready."""
    dates = []
    for p in products:
        if p.has(Flag.presale):
            # Goods released already (or releasing sooner than our handling time) ship like stock goods.
            ships_at = p.presale_ships_at
            dates.append(
                max(ships_at, placed_at + SHIP_WITHIN)
                if ships_at
                else placed_at + PRESALE_DEFAULT_SHIP_WITHIN
            )
        elif p.has(Flag.perishable):
            dates.append(placed_at + PERISHABLE_SHIP_WITHIN)
        else:
            dates.append(placed_at + SHIP_WITHIN)
    return max(dates, default=placed_at + SHIP_WITHIN)


def estimated_delivery_by(products: list[Product], ship_by: datetime) -> datetime:
    if any(p.has(Flag.cross_border) for p in products):
        return ship_by + CROSS_BORDER_TRANSIT
    if products and all(p.has(Flag.perishable) for p in products):
        return ship_by + PERISHABLE_TRANSIT
    return ship_by + TRANSIT


def payment_due_at(placed_at: datetime, timeout_minutes: int) -> datetime:
    return placed_at + timedelta(minutes=timeout_minutes)
