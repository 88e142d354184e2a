"""An after-sales request (售后申请), routed by its type: a return for a refund (``returns``), a refund with
nothing sent back (``refund_only``), or an exchange (``exchanges``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oms.domain.return_policy import AfterSalesType
from oms.lifecycle import exchanges, refund_only, returns
from oms.problems import Conflict, FieldError, ValidationProblem
from oms.store import returns as store
from oms.store.table import Item, Table

if TYPE_CHECKING:
    from oms.api.return_requests import ReturnRequest


def request(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    if body.type is AfterSalesType.exchange:
        return exchanges.request(table, order, body, key)
    if body.exchange is not None:
        raise ValidationProblem(
            "Only an exchange names replacements.",
            code="exchange_not_allowed",
            errors=[FieldError("exchange", "is only for an exchange (type exchange)")],
        )
    if body.type is AfterSalesType.refund_only:
        return refund_only.request(table, order, body, key)
    return returns.request_return(table, order, body, key)


def review(table: Table, return_id: str) -> Item:
    """The review-return step: what the rules decide for a request of each type (idempotent), finishing
    what a request that died mid-way left."""
    item = store.get(table, return_id)
    if item is None:
        raise Conflict(f"No return {return_id}.", code="return_not_found")
    if item.get("type") == refund_only.TYPE:
        return refund_only.review(table, item)
    return returns.review_by_rules(table, return_id, item)
