"""A provider's payment id pays one order: the first order it is recorded on claims it.

The claim is put in the transaction that records the payment, conditioned on being new or already this
order's, so a payment id replayed against another order (by a bug or an attacker holding one real
payment notice) never pays a second order.
"""

from __future__ import annotations

from oms import clock
from oms.store import keys
from oms.store.table import Table
from oms.store.unit_of_work import Write, put

PAYMENT_CLAIM = "payment_claim"


def claim(payment_id: str, order_id: str) -> Write:
    item = {**keys.key(keys.payment(payment_id)), "order_id": order_id, "at": clock.now_iso()}
    return put(
        PAYMENT_CLAIM,
        item,
        condition="attribute_not_exists(pk) OR order_id = :order",
        named_values={"order": order_id},
    )


def owner(table: Table, payment_id: str) -> str | None:
    """The order a payment id was recorded on, if any."""
    item = table.get(*keys.payment(payment_id))
    return None if item is None else str(item["order_id"])
