"""Refunds: money goes back only while ``refunded + amount <= captured`` (kept as ``refundable``)."""

from __future__ import annotations

from typing import Any

from oms import clock, events
from oms.problems import Conflict
from oms.store import keys
from oms.store.table import Item, Table, TransactionCancelled, serialize, values


def refund_key(order_id: str, refund_id: str) -> tuple[str, str]:
    return keys.order(order_id)[0], f"REFUND#{refund_id}"


def refund_item(order: Item, refund_id: str, amount: int, reason: str) -> Item:
    pk, sk = refund_key(order["id"], refund_id)
    return {
        "pk": pk,
        "sk": sk,
        "id": refund_id,
        "order_id": order["id"],
        "customer_id": order["customer_id"],
        "payment_id": order.get("payment_id", ""),
        "amount": amount,
        "currency": order["totals"]["currency"],
        "reason": reason,
        "status": "pending",
        "requested_at": clock.now_iso(),
        "attempts": 0,
    }


def put_refund_op(item: Item) -> dict[str, Any]:
    return {"Put": {"Item": serialize(item), "ConditionExpression": "attribute_not_exists(sk)"}}


def start(
    table: Table,
    order: Item,
    refund_id: str,
    amount: int,
    reason: str,
    by: str,
    *,
    return_id: str | None = None,
    extra_ops: list[dict[str, Any]] | None = None,
    attempt: int = 1,
) -> Item | None:
    """Take ``amount`` off what is refundable and record the refund; None when it was started already."""
    item = refund_item(order, refund_id, amount, reason)
    item["attempt"] = attempt
    if return_id:
        item["return_id"] = return_id
    entry = {"at": clock.now_iso(), "type": "refund_requested", "by": by, "amount": amount, "reason": reason}
    try:
        table.transact(
            [
                {
                    "Update": {
                        "Key": serialize(dict(zip(("pk", "sk"), keys.order(order["id"]), strict=True))),
                        "UpdateExpression": "SET refunded = refunded + :a, refundable = refundable - :a, "
                        "timeline = list_append(timeline, :entry)",
                        "ConditionExpression": "refundable >= :a",
                        "ExpressionAttributeValues": values(a=amount, entry=[entry]),
                    }
                },
                put_refund_op(item),
                *(extra_ops or []),
            ]
        )
    except TransactionCancelled as cancelled:
        if cancelled.failed(1):
            return None
        raise Conflict(
            "That is more than can still be refunded on this order.", code="refund_exceeds_captured"
        ) from cancelled
    announce(item)
    return item


def announce(item: Item) -> None:
    events.publish(
        "RefundRequested",
        f"{item['id']}:requested",
        {
            "order_id": item["order_id"],
            "refund_id": item["id"],
            "customer_id": item["customer_id"],
            "amount": item["amount"],
        },
    )


def get(table: Table, order_id: str, refund_id: str) -> Item | None:
    return table.get(*refund_key(order_id, refund_id))


def settle(
    table: Table, order_id: str, refund_id: str, succeeded: bool, provider_ref: str | None = None
) -> bool:
    """Record the provider's answer once; a failed refund gives the amount back to ``refundable``."""
    pk, sk = refund_key(order_id, refund_id)
    refund = table.get(pk, sk)
    if refund is None or refund["status"] != "pending":
        return False
    status = "succeeded" if succeeded else "failed"
    entry = {"at": clock.now_iso(), "type": f"refund_{status}", "by": "payments", "amount": refund["amount"]}
    ops: list[dict[str, Any]] = [
        {
            "Update": {
                "Key": serialize({"pk": pk, "sk": sk}),
                "UpdateExpression": "SET #s = :status, settled_at = :now, provider_ref = :ref",
                "ConditionExpression": "#s = :pending",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": values(
                    status=status, now=clock.now_iso(), ref=provider_ref or "", pending="pending"
                ),
            }
        },
        {
            "Update": {
                "Key": serialize(dict(zip(("pk", "sk"), keys.order(order_id), strict=True))),
                "UpdateExpression": "SET timeline = list_append(timeline, :entry)"
                + ("" if succeeded else ", refunded = refunded - :a, refundable = refundable + :a"),
                "ExpressionAttributeValues": values(
                    entry=[entry], **({} if succeeded else {"a": refund["amount"]})
                ),
            }
        },
    ]
    if succeeded and refund.get("return_id"):
        ops.append(_return_refunded_op(refund["return_id"], refund_id))
    try:
        table.transact(ops)
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        raise
    if succeeded:
        events.publish(
            "RefundIssued",
            f"{refund_id}:succeeded",
            {
                "order_id": order_id,
                "refund_id": refund_id,
                "customer_id": refund["customer_id"],
                "amount": refund["amount"],
                **({"return_id": refund["return_id"]} if refund.get("return_id") else {}),
            },
        )
    return True


def _return_refunded_op(return_id: str, refund_id: str) -> dict[str, Any]:
    """The return the refund pays for is refunded in the same transaction as the refund."""
    entry = {
        "at": clock.now_iso(),
        "type": "refunded",
        "by": "payments",
        "status": "refunded",
        "refund_id": refund_id,
    }
    return {
        "Update": {
            "Key": serialize({"pk": f"RETURN#{return_id}", "sk": "RETURN"}),
            "UpdateExpression": "SET #s = :refunded, refunded_at = :now, version = version + :one, "
            "timeline = list_append(timeline, :entry)",
            "ConditionExpression": "#s = :pending",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": values(
                refunded="refunded", now=clock.now_iso(), one=1, entry=[entry], pending="refund_pending"
            ),
        }
    }
