"""The refund step: ask the provider for each requested refund, once, and record its answer."""

from __future__ import annotations

from oms.payments_port import provider
from oms.store import refunds
from oms.store.table import Table


def process(table: Table, order_id: str, refund_id: str) -> str:
    refund = refunds.get(table, order_id, refund_id)
    if refund is None or refund["status"] != "pending":
        return "already_settled"
    answer = provider().refund(refund)  # providers dedupe on our refund id, so a retry is safe
    if answer.status == "pending":
        return "pending"
    refunds.settle(table, order_id, refund_id, answer.status == "succeeded", answer.provider_ref)
    return answer.status
