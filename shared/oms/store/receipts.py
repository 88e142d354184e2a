"""Webhook receipts: recorded in the same transaction as the change an event causes, so it applies once."""

from __future__ import annotations

from oms import clock
from oms.store import keys
from oms.store.table import Table
from oms.store.unit_of_work import Write, put

RECEIPT = "receipt"


def record(source: str, event_id: str) -> Write:
    """The receipt, once: a repeat of the event fails this write's condition (``failed_on(RECEIPT)``)."""
    item = {**keys.key(keys.webhook_receipt(source, event_id)), "at": clock.now_iso()}
    return put(RECEIPT, item, condition="attribute_not_exists(pk)")


def seen(table: Table, source: str, event_id: str) -> bool:
    return table.get(*keys.webhook_receipt(source, event_id)) is not None
