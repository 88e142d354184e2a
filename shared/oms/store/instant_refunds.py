"""What the instant-refund policy reads about a buyer, and the daily limit's counter.

The record is read from the buyer's orders and returns (the ``by_customer`` index) when a return parcel is
first scanned: rare enough to read, and never out of step with what it counts. The daily amount is a
counter written in the transaction that starts the refund, conditioned on the limit, so two parcels
scanned at once cannot both pass it.
"""

from __future__ import annotations

from typing import Any

from oms.domain.instant_refund import BuyerRecord
from oms.store import keys
from oms.store.table import Item, Table, values
from oms.store.unit_of_work import Write, update

INSTANT_DAY = "instant_refunds_day"
# Returns that never went ahead do not count against a buyer.
_NOT_COUNTED = frozenset({"cancelled", "rejected", "lapsed"})
# Enough history to judge a buyer by; a buyer with more is judged by their latest orders and returns.
_READ_AT_MOST = 500


def _latest(table: Table, customer_key: str) -> list[Item]:
    found: list[Item] = []
    start: dict[str, Any] | None = None
    while len(found) < _READ_AT_MOST:
        items, start = table.query(
            "customer_key = :ck",
            index="by_customer",
            expression_values=values(ck=customer_key),
            limit=100,
            start_key=start,
            forward=False,
        )
        found += items
        if start is None:
            break
    return found[:_READ_AT_MOST]


def lowers_trust(item: Item) -> bool:
    """A return whose inspection found a problem, or found less than an instant refund paid."""
    return bool((item.get("inspection") or {}).get("disputed")) or bool(
        (item.get("outcome") or {}).get("trust_lowered")
    )


def buyer_record(table: Table, customer_id: str, excluding_return: str) -> BuyerRecord:
    orders = _latest(table, keys.customer_orders(customer_id))
    returns = [
        r
        for r in _latest(table, keys.customer_returns(customer_id))
        if r["id"] != excluding_return and r["status"] not in _NOT_COUNTED
    ]
    return BuyerRecord(
        completed_orders=sum(1 for o in orders if o.get("status") == "completed"),
        returns=len(returns),
        disputed_returns=sum(1 for r in returns if lowers_trust(r)),
    )


def refunded_on(table: Table, customer_id: str, day: str) -> int:
    item = table.get(*keys.instant_refunds_day(customer_id, day))
    return int(item["amount"]) if item else 0


def count_against_day(customer_id: str, day: str, amount: int, limit: int) -> Write:
    """Add ``amount`` to the buyer's day, provided it stays within ``limit``."""
    return update(
        INSTANT_DAY,
        keys.instant_refunds_day(customer_id, day),
        "ADD #a :a",
        condition="attribute_not_exists(#a) OR #a <= :room",
        names={"#a": "amount"},
        named_values={"a": amount, "room": limit - amount},
    )
