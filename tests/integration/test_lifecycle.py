"""The order lifecycle on a real engine: payment, review, cancellation, shipping, completion, refunds."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from oms import clock, ids
from oms.domain.order_status import Move
from oms.jobs import auto_confirm, release_unpaid
from oms.lifecycle import cancellation, completion, payments, review, shipping
from oms.lifecycle.refund_step import process as process_refund
from oms.placing import reserve, validate
from oms.problems import Conflict, InvalidTransition
from oms.store import catalog, inventory, moves, orders, queues
from oms.store.moves import LostRace
from oms.store.table import Table

from tests.integration.helpers import order_request, step_input, stocked_product


def placed(table: Table, *lines: tuple[str, int, int], customer: str = "cus_1") -> dict[str, Any]:
    checked = validate(step_input(order_request(*lines), customer), table)
    assert checked["ok"], checked
    return dict(reserve(checked, table)["order"])


def payment(
    order: dict[str, Any],
    amount: int | None = None,
    kind: str = "payment.succeeded",
    payment_id: str | None = None,
    **extra: Any,
) -> payments.PaymentEvent:
    """A provider's event; its payment id is the order's own unless given (one payment id pays one order)."""
    return payments.PaymentEvent(
        event_id=ids.new_id("evt"),
        type=kind,  # type: ignore[arg-type]
        order_id=order["id"],
        payment_id=payment_id or f"pay_{order['id']}",
        amount=order["totals"]["total"] if amount is None else amount,
        currency=order["totals"]["currency"],
        occurred_at=clock.now(),
        **extra,
    )


def test_payment_moves_the_order_to_fulfilment_once(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5)
    order = placed(table, (tea, 2, 3900))
    event = payment(order)
    assert payments.handle(table, event) == "paid"
    assert payments.handle(table, event) == "duplicate"
    assert payments.handle(table, payment(order)) == "duplicate"  # same payment id, another event id
    stored = orders.get(table, order["id"])
    assert stored is not None
    assert (stored["status"], stored["captured"], stored["refundable"]) == (
        "awaiting_fulfillment",
        8800,
        8800,
    )
    assert "timer_kind" not in stored
    assert [o["id"] for o in queues.read(table, "FULFILL") if o["id"] == order["id"]] == [order["id"]]


def test_a_wrong_amount_opens_an_exception_and_does_not_pay(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5)
    order = placed(table, (tea, 1, 3900))
    assert payments.handle(table, payment(order, amount=100)) == "mismatch"
    stored = orders.get(table, order["id"])
    assert stored is not None and stored["status"] == "pending_payment"
    assert stored["exceptions"][0]["kind"] == "payment_mismatch"


def test_a_payment_after_release_unpaid_is_refunded_automatically(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5)
    order = placed(table, (tea, 1, 3900))
    clock.advance(31 * 60)
    try:
        release_unpaid.run(table)
    finally:
        clock.reset()
    assert payments.handle(table, payment(order)) == "refunded"
    stored, children = orders.record_for(table, order["id"], None)
    assert (stored["status"], stored["captured"], stored["refunded"]) == ("cancelled", 4900, 4900)
    refund = next(c for c in children if c["sk"].startswith("REFUND#"))
    assert (refund["amount"], refund["reason"], refund["status"]) == (4900, "late_payment", "pending")
    assert process_refund(table, order["id"], refund["id"]) == "succeeded"
    assert process_refund(table, order["id"], refund["id"]) == "already_settled"
    assert inventory.levels(table, tea).pool.reserved == 0


def test_payment_racing_release_unpaid_ends_one_way(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 50)
    outcomes = []
    for _ in range(6):
        order = placed(table, (tea, 1, 3900))
        clock.advance(31 * 60)
        try:
            start = threading.Barrier(2)
            result: dict[str, Any] = {}

            def pay(o: dict[str, Any] = order) -> None:
                start.wait()
                result["payment"] = payments.handle(table, payment(o))

            def expire() -> None:
                start.wait()
                result["release"] = release_unpaid.run(table)

            threads = [threading.Thread(target=pay), threading.Thread(target=expire)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            clock.reset()
        stored = orders.get(table, order["id"])
        assert stored is not None
        if stored["status"] == "awaiting_fulfillment":
            assert result["payment"] == "paid" and stored["refunded"] == 0
        else:
            assert stored["status"] == "cancelled" and result["payment"] == "refunded"
            assert stored["captured"] == stored["refunded"] == 4900  # money balanced: all of it goes back
        outcomes.append(stored["status"])
    held = sum(1 for s in outcomes if s == "awaiting_fulfillment")
    assert inventory.levels(table, tea).pool.reserved == held  # stock balanced


def test_large_and_special_orders_wait_for_review_then_approval(cloud: object) -> None:
    table = Table()
    phone = stocked_product(table, 5, price=699900)
    order = placed(table, (phone, 1, 699900))
    assert payments.handle(table, payment(order)) == "held_for_review"
    stored = orders.get(table, order["id"])
    assert stored is not None and stored["status"] == "under_review"
    assert stored["review_reasons"] == ["large_amount"]
    assert order["id"] in [o["id"] for o in queues.read(table, "REVIEW")]
    approved = review.decide(
        table, stored, review.ReviewDecision(decision="approve", reason="verified"), "adm_1"
    )
    assert approved["status"] == "awaiting_fulfillment"
    assert order["id"] not in [o["id"] for o in queues.read(table, "REVIEW")]
    assert order["id"] in [o["id"] for o in queues.read(table, "FULFILL")]


def test_rejecting_a_review_refunds_and_releases(cloud: object) -> None:
    table = Table()
    cake = stocked_product(table, 5, price=20000, flags=["customized"])
    order = placed(table, (cake, 1, 20000))
    payments.handle(table, payment(order))
    stored = orders.get(table, order["id"])
    assert stored is not None and stored["review_reasons"] == ["customized"]
    rejected = review.decide(
        table, stored, review.ReviewDecision(decision="reject", reason="cannot make"), "adm_1"
    )
    assert (rejected["status"], rejected["refunded"]) == ("cancelled", 20000)
    assert inventory.levels(table, cake).pool.reserved == 0


def test_the_fulfilment_queue_puts_perishable_then_vip_then_payment_time(cloud: object) -> None:
    table = Table()
    tea, fish = stocked_product(table, 50), stocked_product(table, 50, flags=["perishable"], price=12000)
    catalog.put_customer(table, "cus_vip", {"tier": "vip", "locale": "en"})
    first = placed(table, (tea, 1, 3900), customer="cus_a")
    vip = placed(table, (tea, 1, 3900), customer="cus_vip")
    cold = placed(table, (fish, 1, 12000), customer="cus_b")
    for order in (first, vip, cold):
        payments.handle(table, payment(order))
    ours = [o["id"] for o in queues.read(table, "FULFILL") if o["id"] in {first["id"], vip["id"], cold["id"]}]
    assert ours == [cold["id"], vip["id"], first["id"]]


def test_shipping_in_parts_then_delivery_and_completion(cloud: object) -> None:
    table = Table()
    tea, cup = stocked_product(table, 5), stocked_product(table, 5, price=6500)
    order = placed(table, (tea, 2, 3900), (cup, 1, 6500))
    payments.handle(table, payment(order))
    stored = orders.get(table, order["id"])
    first = shipping.ShipmentRequest(
        carrier="sf", tracking_number=f"SF{ids.new_id('t')[2:12]}", items=[{"sku": tea, "quantity": 2}]
    )
    part, _ = shipping.ship(table, stored, first, "adm_1")
    assert part["status"] == "partially_shipped"
    with pytest.raises(Conflict, match="already used"):  # a tracking number is used once per carrier
        shipping.ship(
            table,
            part,
            shipping.ShipmentRequest(carrier="sf", tracking_number=first.tracking_number),
            "adm_1",
        )
    rest, shipment = shipping.ship(
        table,
        orders.get(table, order["id"]),
        shipping.ShipmentRequest(carrier="sf", tracking_number=f"SF{ids.new_id('t')[2:12]}"),
        "adm_1",
    )
    assert rest["status"] == "shipped"
    assert shipment["items"] == [{"sku": cup, "quantity": 1}]
    assert inventory.levels(table, tea).pool.model_dump() == {"on_hand": 3, "reserved": 0, "available": 3}
    with pytest.raises(InvalidTransition):
        cancellation.cancel(table, rest, by="cus_1", reason="too late")
    delivered = moves.apply(
        table, moves.ORDER, rest, Move.deliver.value, by="carrier", set_fields=completion.delivered_fields()
    )
    clock.advance(8 * 24 * 3600)
    try:
        assert auto_confirm.run(table)["confirmed"] >= 1
    finally:
        clock.reset()
    done = orders.get(table, order["id"])
    assert done is not None and (done["status"], done["completed_by"]) == ("completed", "automatic")
    assert done["timer_kind"] == "archive"
    with pytest.raises(LostRace):
        completion.complete(table, delivered, by="cus_1", how="buyer")  # the stale read loses


def test_cancelling_a_paid_order_releases_stock_and_refunds(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5)
    order = placed(table, (tea, 3, 3900))
    payments.handle(table, payment(order))
    cancelled = cancellation.cancel(
        table, orders.get(table, order["id"]), by="cus_1", reason="customer_request"
    )
    assert (cancelled["status"], cancelled["refunded"], cancelled["refundable"]) == ("cancelled", 11700, 0)
    assert inventory.levels(table, tea).pool.reserved == 0
    _, children = orders.record_for(table, order["id"], None)
    refund = next(c for c in children if c["sk"].startswith("REFUND#"))
    assert process_refund(table, order["id"], refund["id"]) == "succeeded"
    assert (
        payments.handle(table, payment(order, kind="refund.succeeded", refund_id=refund["id"])) == "ignored"
    )


def test_cancel_racing_ship_ends_one_way(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 20)
    for i in range(5):
        order = placed(table, (tea, 1, 3900))
        payments.handle(table, payment(order))
        current = orders.get(table, order["id"])
        start = threading.Barrier(2)
        results: dict[str, Any] = {}

        def do_cancel(o: dict[str, Any] = current) -> None:
            start.wait()
            try:
                results["cancel"] = cancellation.cancel(table, o, by="cus_1", reason="customer_request")[
                    "status"
                ]
            except (LostRace, InvalidTransition) as lost:
                results["cancel"] = type(lost).__name__

        def do_ship(o: dict[str, Any] = current, n: int = i) -> None:
            start.wait()
            try:
                results["ship"] = shipping.ship(
                    table,
                    o,
                    shipping.ShipmentRequest(carrier="sf", tracking_number=f"RACE{n}{ids.new_id('t')[2:8]}"),
                    "adm",
                )[0]["status"]
            except (LostRace, InvalidTransition) as lost:
                results["ship"] = type(lost).__name__

        threads = [threading.Thread(target=do_cancel), threading.Thread(target=do_ship)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = orders.get(table, order["id"])
        assert final is not None
        assert sorted(results.values()) in (["LostRace", "cancelled"], ["LostRace", "shipped"])
        assert final["status"] == ("cancelled" if results["cancel"] == "cancelled" else "shipped")
        assert final["refunded"] == (4900 if final["status"] == "cancelled" else 0)
    levels = inventory.levels(table, tea).pool
    assert levels.reserved == 0 and levels.on_hand + levels.available >= 0


def test_a_review_past_its_deadline_is_escalated_once(cloud: object) -> None:
    from oms.jobs import sla_escalation

    table = Table()
    phone = stocked_product(table, 5, price=699900)
    order = placed(table, (phone, 1, 699900))
    payments.handle(table, payment(order))
    assert sla_escalation.run(table)["escalated"] == 0  # not due yet
    clock.advance(25 * 3600)
    try:
        assert sla_escalation.run(table)["escalated"] == 1
        assert sla_escalation.run(table)["escalated"] == 0
    finally:
        clock.reset()
    stored = orders.get(table, order["id"])
    assert stored is not None and stored["status"] == "under_review" and stored["escalated_at"]
    assert stored["timeline"][-1]["type"] == "sla_breached"
    assert order["id"] in [o["id"] for o in queues.read(table, "REVIEW")]  # still waits for a person


def test_a_failed_refund_is_retried_then_escalated_never_dropped(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5)
    order = placed(table, (tea, 1, 3900))
    payments.handle(table, payment(order))
    cancellation.cancel(table, orders.get(table, order["id"]), by="cus_1", reason="customer_request")
    for attempt in (1, 2, 3):
        _, children = orders.record_for(table, order["id"], None)
        pending = [c for c in children if c["sk"].startswith("REFUND#") and c["status"] == "pending"]
        assert [p["attempt"] for p in pending] == [attempt]
        failed = payment(order, kind="refund.failed", refund_id=pending[0]["id"])
        assert payments.handle(table, failed) == "refund_settled"
        assert payments.handle(table, failed) == "duplicate"
    stored, children = orders.record_for(table, order["id"], None)
    assert [c["status"] for c in children if c["sk"].startswith("REFUND#")] == ["failed"] * 3
    assert (stored["refunded"], stored["refundable"]) == (0, 4900)  # nothing counted as paid back
    assert [e["kind"] for e in stored["exceptions"] if e["status"] == "open"] == ["refund_failed"]
