"""An after-sales request (售后申请), routed by its type: a return for a refund (``returns``), a refund with
nothing sent back (``refund_only``), or an exchange (``exchanges``)."""

from __future__ import annotations

from oms.api.return_requests import ReturnRequest
from oms.lifecycle import returns
from oms.store.table import Item, Table


def request(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    return returns.request_return(table, order, body, key)
