"""Balance credits on a customer (compensation): one item per credit, and a running balance per currency."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.store import keys
from oms.store.table import Item, Table, serialize, values


def credit_key(customer_id: str, credit_id: str) -> tuple[str, str]:
    return keys.customer(customer_id)[0], f"CREDIT#{credit_id}"


def balance_key(customer_id: str, currency: str) -> tuple[str, str]:
    return keys.customer(customer_id)[0], f"BALANCE#{currency}"


def grant_ops(
    customer_id: str, credit_id: str, amount: int, currency: str, reason: str, order_id: str
) -> list[dict[str, Any]]:
    """The credit, once (its id is derived from what it compensates), and the balance it adds to."""
    pk, sk = credit_key(customer_id, credit_id)
    credit = {
        "pk": pk,
        "sk": sk,
        "id": credit_id,
        "customer_id": customer_id,
        "amount": amount,
        "currency": currency,
        "reason": reason,
        "order_id": order_id,
        "granted_at": clock.now_iso(),
    }
    balance_pk, balance_sk = balance_key(customer_id, currency)
    return [
        {"Put": {"Item": serialize(credit), "ConditionExpression": "attribute_not_exists(sk)"}},
        {
            "Update": {
                "Key": serialize({"pk": balance_pk, "sk": balance_sk}),
                "UpdateExpression": "SET #c = :c ADD #b :a",
                "ExpressionAttributeNames": {"#c": "currency", "#b": "balance"},
                "ExpressionAttributeValues": values(c=currency, a=amount),
            }
        },
    ]


def balance(table: Table, customer_id: str, currency: str) -> int:
    item: Item | None = table.get(*balance_key(customer_id, currency))
    return int(item["balance"]) if item else 0
