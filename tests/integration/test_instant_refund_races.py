"""An instant refund decided by two scans at once, or losing the order's refundable money to another refund
meanwhile, is paid at most once and never fails the carrier's event."""

from __future__ import annotations

from typing import Any

import pytest
from oms import ids
from oms.api import return_requests
from oms.domain.order_status import Move
from oms.lifecycle import instant_refund, return_parcel, returns
from oms.problems import Conflict
from oms.store import moves, orders, refunds
from oms.store import returns as return_store
from oms.store.table import Table

from tests.integration.helpers import stocked_product
from tests.integration.returns_helpers import delivered_order


def _trusted_return_in_transit(table: Table) -> dict[str, Any]:
    customer = f"cus_{ids.new_id('c')[2:10]}"
    for _ in range(3):
        done = delivered_order(table, (stocked_product(table, 2, price=1000), 1, 1000), customer=customer)
        moves.apply(table, moves.ORDER, done, Move.complete.value, by=customer)
    sku = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (sku, 1, 12900), customer=customer)
    body = return_requests.ReturnRequest(items=[{"sku": sku, "quantity": 1}], reason="no_reason")
    item = returns.request_return(table, orders.get(table, order["id"]), body, None)
    parcel = return_requests.ReturnParcel(carrier="sf", tracking_number=f"SFR{ids.new_id('t')[2:14]}")
    return_parcel.record_parcel(table, item, parcel, customer)
    return {"order_id": order["id"], "return_id": item["id"]}


def _refunds(table: Table, order_id: str) -> list[Any]:
    _, children = orders.record_for(table, order_id, None)
    return [c for c in children if c["sk"].startswith("REFUND#")]


def test_a_second_scan_decides_nothing_again(cloud: object) -> None:
    table = Table()
    ctx = _trusted_return_in_transit(table)
    assert instant_refund.on_first_scan(table, ctx["return_id"]) == "issued"
    assert instant_refund.on_first_scan(table, ctx["return_id"]) == "decided"
    assert [r["amount"] for r in _refunds(table, ctx["order_id"])] == [12900]


def test_losing_the_refundable_money_to_another_refund_declines_instead_of_failing(
    cloud: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = Table()
    ctx = _trusted_return_in_transit(table)

    def taken(*args: Any, **kwargs: Any) -> None:
        raise Conflict(
            "That is more than can still be refunded on this order.", code="refund_exceeds_captured"
        )

    monkeypatch.setattr(refunds, "start", taken)
    assert instant_refund.on_first_scan(table, ctx["return_id"]) == "decided"
    item = return_store.get(table, ctx["return_id"])
    assert item is not None and item["instant_refund"]["status"] == "declined"
    assert item["instant_refund"]["reason"] == "nothing_to_refund"
    assert _refunds(table, ctx["order_id"]) == []
