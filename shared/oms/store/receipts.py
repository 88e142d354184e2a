"""Webhook receipts: recorded in the same transaction as the change an event causes, so it applies once."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.store.table import Table, serialize


def receipt_key(source: str, event_id: str) -> tuple[str, str]:
    return f"WEBHOOK#{source}#{event_id}", "WEBHOOK"


def receipt_op(source: str, event_id: str) -> dict[str, Any]:
    pk, sk = receipt_key(source, event_id)
    return {
        "Put": {
            "Item": serialize({"pk": pk, "sk": sk, "at": clock.now_iso()}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def seen(table: Table, source: str, event_id: str) -> bool:
    return table.get(*receipt_key(source, event_id)) is not None
