"""An after-sales request (售后申请), routed by its type: a return for a refund (``returns``), a refund with
nothing sent back (``refund_only``), or an exchange (``exchanges``)."""

from __future__ import annotations

from oms.api.return_requests import ReturnRequest
from oms.domain.return_policy import AfterSalesType
from oms.lifecycle import exchanges, returns
from oms.problems import FieldError, ValidationProblem
from oms.store.table import Item, Table


def request(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    if body.type is AfterSalesType.exchange:
        return exchanges.request(table, order, body, key)
    if body.exchange is not None:
        raise ValidationProblem(
            "Only an exchange names replacements.",
            code="exchange_not_allowed",
            errors=[FieldError("exchange", "is only for an exchange (type exchange)")],
        )
    return returns.request_return(table, order, body, key)
