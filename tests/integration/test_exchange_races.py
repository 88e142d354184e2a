"""Exchanges when things happen at once: two approvals reserve one replacement; a payment landing while the
first scan releases the replacement still puts it in the pick queue once; a second scan decides nothing."""

from __future__ import annotations

from typing import Any

import pytest
from oms import ids
from oms.api import return_requests
from oms.lifecycle import exchanges, return_parcel, returns
from oms.store import inventory, moves, orders
from oms.store import returns as return_store
from oms.store.table import Item, Table

from tests.integration.helpers import stocked_product
from tests.integration.returns_helpers import delivered_order, pay_in_full


def _exchange(table: Table, reason: str = "no_reason") -> tuple[Item, str]:
    """A delivered shirt asked to be exchanged for a dearer one; the return and the replacement SKU."""
    customer = f"cus_{ids.new_id('c')[2:10]}"
    medium, large = stocked_product(table, 5, price=10000), stocked_product(table, 5, price=12000)
    order = delivered_order(table, (medium, 1, 10000), customer=customer)
    body = return_requests.ReturnRequest.model_validate(
        {
            "type": "exchange",
            "items": [{"sku": medium, "quantity": 1}],
            "exchange": [{"sku": medium, "quantity": 1, "replacement_sku": large}],
            "reason": reason,
        }
    )
    return exchanges.request(table, orders.get(table, order["id"]), body, None), large


def _in_transit(table: Table, item: Item) -> None:
    parcel = return_requests.ReturnParcel(carrier="sf", tracking_number=f"SFR{ids.new_id('t')[2:14]}")
    return_parcel.record_parcel(table, return_store.get(table, item["id"]), parcel, item["customer_id"])


def test_two_approvals_at_once_reserve_one_replacement(cloud: object) -> None:
    table = Table()
    item, large = _exchange(table, reason="size_fit")  # waits for a person
    assert item["status"] == "under_review"
    first = returns.approve(table, item, by="adm_1", reason="ok")
    with pytest.raises(moves.LostRace):  # the second decided on the return as it was read: read again
        returns.approve(table, item, by="adm_2", reason="ok")
    assert inventory.levels(table, large).pool.reserved == 1
    replacement = orders.get(table, first["exchange"]["replacement_order_id"])
    assert replacement is not None and replacement["totals"]["total"] == 2000


def test_a_payment_landing_while_the_scan_releases_still_queues_the_replacement(
    cloud: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = Table()
    item, _ = _exchange(table)
    replacement_id = item["exchange"]["replacement_order_id"]
    _in_transit(table, item)
    unpaid = orders.get(table, replacement_id)
    assert unpaid is not None and unpaid["status"] == "pending_payment"
    reads: list[Any] = []
    read = orders.get

    def stale_then_fresh(table_: Table, order_id: str) -> Item | None:
        reads.append(order_id)
        if len(reads) == 1:  # the scan read the replacement unpaid; the payment lands before it writes
            monkeypatch.setattr(orders, "get", read)  # the payment reads as usual
            assert pay_in_full(table, unpaid) == "paid"
            monkeypatch.setattr(orders, "get", stale_then_fresh)
            return unpaid
        return read(table_, order_id)

    monkeypatch.setattr(orders, "get", stale_then_fresh)
    assert exchanges.on_first_scan(table, item["id"])
    monkeypatch.undo()

    released = orders.get(table, replacement_id)
    assert released is not None and released["status"] == "awaiting_fulfillment"
    assert released["queue"] == "FULFILL" and orders.AWAITS_PARCEL not in released
    assert len(reads) == 2  # decided again on the paid replacement
    again = return_store.get(table, item["id"])
    assert again is not None and again["exchange"]["state"] == "released"


def test_a_second_scan_releases_nothing_again(cloud: object) -> None:
    table = Table()
    item, _ = _exchange(table)
    _in_transit(table, item)
    assert exchanges.on_first_scan(table, item["id"])
    first = return_store.get(table, item["id"])
    assert first is not None and first["exchange"]["state"] == "released"
    assert exchanges.on_first_scan(table, item["id"])
    second = return_store.get(table, item["id"])
    assert second is not None and second["version"] == first["version"]
    replacement = orders.get(table, item["exchange"]["replacement_order_id"])
    assert replacement is not None and replacement["status"] == "pending_payment"
    assert pay_in_full(table, replacement) == "paid"  # paid after the scan: straight into the pick queue
    paid = orders.get(table, replacement["id"])
    assert paid is not None and paid["queue"] == "FULFILL"
