"""An after-sales request (售后申请), routed by its type: a return for a refund (``returns``), a refund with
nothing sent back (``refund_only``), or an exchange (``exchanges``)."""

from __future__ import annotations

from oms.api.return_requests import ReturnRequest
from oms.domain.return_policy import AfterSalesType
from oms.lifecycle import refund_only, returns
from oms.problems import Conflict
from oms.store import returns as store
from oms.store.table import Item, Table


def request(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    if body.type is AfterSalesType.refund_only:
        return refund_only.request(table, order, body, key)
    return returns.request_return(table, order, body, key)


def review(table: Table, return_id: str) -> Item:
    """The review-return step: what the rules decide for a request of each type (idempotent). Its role
    starts no refund: a refund only it settles is paid by the request that raced it, or asked again."""
    item = store.get(table, return_id)
    if item is None:
        raise Conflict(f"No return {return_id}.", code="return_not_found")
    if item.get("type") == refund_only.TYPE:
        return refund_only.review(table, item, refund=False)
    return returns.review_by_rules(table, return_id, item)
