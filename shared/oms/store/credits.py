"""Balance credits on a customer (compensation): one item per credit, and a running balance per currency."""

from __future__ import annotations

from oms import clock
from oms.store import keys
from oms.store.table import Item, Table
from oms.store.unit_of_work import Write, put, update

CREDIT, CREDIT_BALANCE = "credit", "credit_balance"


def grant(
    customer_id: str, credit_id: str, amount: int, currency: str, reason: str, order_id: str
) -> list[Write]:
    """The credit, once (its id is derived from what it compensates), and the balance it adds to."""
    credit = {
        **keys.key(keys.credit(customer_id, credit_id)),
        "id": credit_id,
        "customer_id": customer_id,
        "amount": amount,
        "currency": currency,
        "reason": reason,
        "order_id": order_id,
        "granted_at": clock.now_iso(),
    }
    return [
        put(CREDIT, credit, condition="attribute_not_exists(sk)"),
        update(
            CREDIT_BALANCE,
            keys.credit_balance(customer_id, currency),
            "SET #c = :c ADD #b :a",
            names={"#c": "currency", "#b": "balance"},
            named_values={"c": currency, "a": amount},
        ),
    ]


def balance(table: Table, customer_id: str, currency: str) -> int:
    item: Item | None = table.get(*keys.credit_balance(customer_id, currency))
    return int(item["balance"]) if item else 0
