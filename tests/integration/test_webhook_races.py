"""A webhook whose order (or parcel) changes under every attempt gives up the way every edge does: the
payment webhook answers 503 ``busy`` with Retry-After (never a 500), the tracking step raises StoreBusy for
its queue to retry later; and nothing of the event was applied, so its redelivery applies it whole."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from oms.lifecycle import tracking
from oms.store import keys, orders, races, shipments
from oms.store.table import Item, StoreBusy, Table, values
from oms_local.testing import StackClient

from tests.e2e.shop import ok, order_body, place, product
from tests.integration.helpers import stocked_product
from tests.integration.tracking_helpers import event, hours_ago, paid_order, ship, tracking_number


def _bump(table: Table, key: tuple[str, str]) -> None:
    """Someone else's write: the item's version moves on."""
    table.update(*key, "SET version = version + :one", expression_values=values(one=1))


def _racing(
    read: Callable[..., Any], bump: Callable[[Table, Any], None], reads: list[str]
) -> Callable[..., Any]:
    """``read``, after which the item changes before the caller can write what it decided."""

    def racing(table: Table, item_id: str, *rest: Any) -> Any:
        found = read(table, item_id, *rest)
        bump(table, found)
        reads.append(item_id)
        return found

    return racing


def pay_event(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": f"evt_{uuid.uuid4().hex[:12]}",
        "type": "payment.succeeded",
        "order_id": order["id"],
        "payment_id": f"pay_{uuid.uuid4().hex[:8]}",
        "amount": order["totals"]["total"],
        "currency": order["totals"]["currency"],
        "occurred_at": "2026-11-25T08:00:00Z",
    }


def test_a_payment_webhook_that_loses_every_race_is_503_busy_and_applies_nothing(
    stack: StackClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900))), 201)
    event = pay_event(order)
    # The placement's own consumers read the order too: let them finish before the reads are counted.
    assert stack.idle()
    reads: list[str] = []
    racing = _racing(orders.get, lambda table, found: _bump(table, keys.order(found["id"])), reads)

    # The webhook function runs in this process for this request, so its reads of the order race.
    with stack.functions_in_process(), monkeypatch.context() as patched:
        patched.setattr(orders, "get", racing)
        answer = stack.webhook("/v1/webhooks/payments", event)

    assert answer.status == 503, answer.text
    assert answer.content_type.startswith("application/problem+json")
    assert answer.json()["code"] == "busy"
    assert int(answer.headers["retry-after"]) > 0
    assert reads == [order["id"]] * races.RACE_ATTEMPTS  # read again after each lost race, then gave up

    stored = ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token()))
    assert (stored["status"], stored["captured"]) == ("pending_payment", 0)
    assert [e["type"] for e in stored["timeline"]] == ["placed"]
    # No receipt was kept: the provider's redelivery is applied, not taken for a duplicate.
    assert ok(stack.webhook("/v1/webhooks/payments", event))["outcome"] == "paid"


def test_a_carrier_event_that_loses_every_race_is_left_for_its_queue_and_applies_nothing(
    cloud: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 1, 3900))
    number = tracking_number()
    shipment = ship(table, order["id"], number)
    news = event(number, "in_transit", hours_ago(2))
    reads: list[str] = []

    def bump_parcel(table: Table, found: tuple[Item, list[Item]]) -> None:
        _bump(table, keys.shipment(order["id"], shipment["id"]))

    monkeypatch.setattr(orders, "record_for", _racing(orders.record_for, bump_parcel, reads))
    with pytest.raises(StoreBusy):
        tracking.apply(table, "sf", news)
    monkeypatch.undo()

    assert reads == [order["id"]] * races.RACE_ATTEMPTS
    assert not tracking.already_applied(table, "sf", news.event_id)
    stored = shipments.find(table, "sf", number)
    assert stored is not None and stored["history"] == [] and stored["status"] == "info_received"
    assert tracking.apply(table, "sf", news) == "updated"  # the queue's redelivery applies it
