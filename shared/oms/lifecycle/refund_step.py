"""The refund step: ask the provider for each requested refund, once, and record its answer; a refusal
is asked again or escalated (:mod:`oms.lifecycle.refunding`). A refund still ``pending`` an hour after it
was asked for (the provider's notice never came, or its answer was lost) is asked about again
(:func:`check_pending`)."""

from __future__ import annotations

from oms.lifecycle.refunding import retry_or_escalate
from oms.payments_port import RefundAnswer, provider
from oms.store import orders, refunds
from oms.store.table import Item, Table


def process(table: Table, order_id: str, refund_id: str) -> str:
    refund = refunds.get(table, order_id, refund_id)
    if refund is None or refund["status"] != "pending":
        if refund is not None and refund["status"] == "failed":
            # A run that died after recording the failure still owes the new attempt (asked once).
            retry_or_escalate(table, order_id, refund_id)
        return "already_settled"
    order = orders.get(table, order_id)
    # Checked on in an hour whatever happens next (an answer lost, this run dying, the queue giving up).
    if order is None or not refunds.await_provider(table, refund, refund.get("provider_ref", "")):
        return "already_settled"
    answer = provider(table).refund(refund, order)  # providers dedupe on our refund id: a retry is safe
    return record(table, refund, answer)


def record(table: Table, refund: Item, answer: RefundAnswer) -> str:
    """The provider's answer on ``refund``: settled (a failure asked again or escalated), or awaited."""
    if answer.status == "pending":
        refunds.await_provider(table, refund, answer.provider_ref)
        return "pending"
    succeeded = answer.status == "succeeded"
    order_id, refund_id = refund["order_id"], refund["id"]
    if refunds.settle(table, order_id, refund_id, succeeded, answer.provider_ref) and not succeeded:
        retry_or_escalate(table, order_id, refund_id)
    return answer.status


def check_pending(table: Table, refund: Item) -> str:
    """Where the provider stands on a refund pending past the hour; asked again (the same refund id) if
    the provider never received it."""
    order = orders.get(table, refund["order_id"])
    if order is None or refund["status"] != "pending":
        return "already_settled"
    asking = provider(table)
    answer = asking.refund_status(refund, order) or asking.refund(refund, order)
    return record(table, refund, answer)
