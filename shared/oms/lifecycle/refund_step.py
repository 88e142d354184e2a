"""The refund step: ask the provider for each requested refund, once, and record its answer; a refusal
is asked again or escalated (:mod:`oms.lifecycle.refunding`)."""

from __future__ import annotations

from oms.lifecycle.refunding import retry_or_escalate
from oms.payments_port import provider
from oms.store import orders, refunds
from oms.store.table import Table


def process(table: Table, order_id: str, refund_id: str) -> str:
    refund = refunds.get(table, order_id, refund_id)
    if refund is None or refund["status"] != "pending":
        if refund is not None and refund["status"] == "failed":
            # A run that died after recording the failure still owes the new attempt (asked once).
            retry_or_escalate(table, order_id, refund_id)
        return "already_settled"
    order = orders.get(table, order_id)
    if order is None:
        return "already_settled"
    answer = provider(table).refund(refund, order)  # providers dedupe on our refund id: a retry is safe
    if answer.status == "pending":
        return "pending"
    succeeded = answer.status == "succeeded"
    if refunds.settle(table, order_id, refund_id, succeeded, answer.provider_ref) and not succeeded:
        retry_or_escalate(table, order_id, refund_id)
    return answer.status
