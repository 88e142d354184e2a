"""Exception orders on both engines: owners and deadlines, holds, the address fix, and each remedy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from oms import clock, ids
from oms.domain.address import Address
from oms.lifecycle import order_exceptions, payments
from oms.lifecycle.address_change import change_address
from oms.lifecycle.order_exceptions import ExceptionInput
from oms.lifecycle.resolutions import Resolution
from oms.placing import reserve, validate
from oms.problems import Conflict, NotFound, ValidationProblem
from oms.store import catalog, credits, inventory, queues, refunds, shipments
from oms.store import order_exceptions as stored
from oms.store.table import Item, Table

from tests.integration.helpers import ADDRESS, on_order, order_request, step_input, stocked_product
from tests.integration.tracking_helpers import fresh, paid_order, ship, tracking_number


def record(table: Table, order_id: str, **body: Any) -> Item:
    request = ExceptionInput.model_validate(body)
    return order_exceptions.record(table, order_id, request, ids.new_id("exc"), "staff_1")


def resolve(table: Table, order: Item, exception_id: str, **body: Any) -> Item:
    return order_exceptions.resolve(
        table, order["id"], exception_id, Resolution.model_validate(body), "staff_1"
    )


def in_queue(table: Table, queue: str, order_id: str) -> bool:
    return order_id in [o.get("id") for o in queues.read(table, queue, 1000)]


def test_an_exception_has_an_owner_and_a_deadline_and_is_listed_until_resolved(cloud: object) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 1, 3900))
    opened = record(table, order["id"], kind="wrong_item", note="blue instead of red")
    assert (opened["owner"], opened["status"], opened["source"]) == ("unassigned", "open", "staff")
    assert opened["deadline"][:13] == clock.iso(clock.now() + timedelta(hours=24))[:13]
    urgent = record(table, order["id"], kind="missing_item", owner="li.lei", due_at=clock.now_iso())
    listed, _ = stored.list_open(table, 100, None)
    mine = [e["id"] for e in listed if e["order_id"] == order["id"]]
    assert mine == [urgent["id"], opened["id"]]  # nearest deadline first
    assert [e["kind"] for e in fresh(table, order["id"])["exceptions"]] == ["wrong_item", "missing_item"]

    resolve(table, order, opened["id"], action="contact_customer", note="called, sending the right one")
    listed, _ = stored.list_open(table, 100, None)
    assert [e["id"] for e in listed if e["order_id"] == order["id"]] == [urgent["id"]]
    entries = {e["id"]: e for e in fresh(table, order["id"])["exceptions"]}
    assert entries[opened["id"]]["status"] == "resolved"
    assert entries[opened["id"]]["resolution"] == "contact_customer"
    with pytest.raises(Conflict) as again:
        resolve(table, order, opened["id"], action="contact_customer")
    assert again.value.code == "exception_not_open"
    with pytest.raises(NotFound):
        resolve(table, order, ids.new_id("exc"), action="contact_customer")


def test_an_incomplete_address_holds_the_order_until_the_buyer_fixes_it(cloud: object) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 1, 3900))
    assert in_queue(table, "FULFILL", order["id"])
    held = record(table, order["id"], kind="address_incomplete", note="no building number")
    on_hold = fresh(table, order["id"])
    assert on_hold["status"] == "on_hold"
    assert not in_queue(table, "FULFILL", order["id"])

    with pytest.raises(ValidationProblem) as incomplete:
        change_address(
            table, on_hold, Address.model_validate({**ADDRESS, "line1": "", "postal_code": ""}), "cus_track"
        )
    assert incomplete.value.code == "address_incomplete"
    assert sorted(e.field for e in incomplete.value.errors) == [
        "shipping_address.line1",
        "shipping_address.postal_code",
    ]

    better = Address.model_validate({**ADDRESS, "line1": "人民路 1 号 3 栋 201"})
    on_order(table, order["id"], lambda o: change_address(table, o, better, "cus_track"))
    resumed = fresh(table, order["id"])
    assert resumed["status"] == "awaiting_fulfillment"
    assert resumed["shipping_address"]["line1"] == "人民路 1 号 3 栋 201"
    assert in_queue(table, "FULFILL", order["id"])
    assert resumed["exceptions"][0]["status"] == "resolved"
    item = stored.get(table, order["id"], held["id"])
    assert item is not None and item["status"] == "resolved" and "queue" not in item


def test_staff_resolving_the_hold_resumes_the_order(cloud: object) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 1, 3900))
    held = record(table, order["id"], kind="address_incomplete")
    resolve(table, order, held["id"], action="contact_customer", note="confirmed by phone")
    assert fresh(table, order["id"])["status"] == "awaiting_fulfillment"
    assert in_queue(table, "FULFILL", order["id"])


def test_the_address_cannot_change_once_shipped(cloud: object) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 1, 3900))
    ship(table, order["id"], tracking_number())
    with pytest.raises(Conflict) as shipped:
        change_address(table, fresh(table, order["id"]), Address.model_validate(ADDRESS), "cus_track")
    assert shipped.value.code == "order_already_shipped"


def test_refunds_never_exceed_what_was_captured(cloud: object) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 2, 3900))
    total = order["totals"]["total"]
    damaged = record(table, order["id"], kind="damaged")
    with pytest.raises(Conflict) as too_much:
        resolve(table, order, damaged["id"], action="partial_refund", amount=total + 1)
    assert too_much.value.code == "refund_exceeds_captured"
    resolved = resolve(table, order, damaged["id"], action="partial_refund", amount=1000)
    assert resolved["resolution"]["amount"] == 1000
    refund = refunds.get(table, order["id"], resolved["resolution"]["refund_id"])
    assert refund is not None and (refund["amount"], refund["status"]) == (1000, "pending")
    after = fresh(table, order["id"])
    assert (after["refunded"], after["refundable"]) == (1000, total - 1000)

    lost = record(table, order["id"], kind="lost", resolution={"action": "refund"})  # the rest
    assert lost["status"] == "resolved" and lost["resolution"]["amount"] == total - 1000
    assert fresh(table, order["id"])["refundable"] == 0
    late = record(table, order["id"], kind="delayed")
    with pytest.raises(Conflict) as nothing:
        resolve(table, order, late["id"], action="refund")
    assert nothing.value.code == "nothing_to_refund"


def test_a_reship_takes_stock_again_and_never_oversells(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 3)
    order = paid_order(table, (tea, 2, 3900))
    ship(table, order["id"], tracking_number())
    assert inventory.levels(table, tea).pool.model_dump() == {"on_hand": 1, "reserved": 0, "available": 1}
    lost = record(table, order["id"], kind="lost")
    number = tracking_number()
    with pytest.raises(Conflict) as short:
        resolve(
            table,
            order,
            lost["id"],
            action="reship",
            items=[{"sku": tea, "quantity": 2}],
            carrier="sf",
            tracking_number=number,
        )
    assert short.value.code == "insufficient_stock"
    assert short.value.errors[0].extra["available"] == 1
    assert inventory.levels(table, tea).pool.available == 1
    assert fresh(table, order["id"])["exceptions"][0]["status"] == "open"

    resolved = resolve(
        table,
        order,
        lost["id"],
        action="reship",
        items=[{"sku": tea, "quantity": 1}],
        carrier="sf",
        tracking_number=number,
    )
    assert inventory.levels(table, tea).pool.model_dump() == {"on_hand": 0, "reserved": 0, "available": 0}
    again = shipments.find(table, "sf", number)
    assert (
        again is not None
        and again["kind"] == "reship"
        and again["id"] == resolved["resolution"]["shipment_id"]
    )
    with pytest.raises(ValidationProblem):
        other = record(table, order["id"], kind="wrong_item")
        resolve(
            table,
            order,
            other["id"],
            action="reship",
            items=[{"sku": "NOPE-1", "quantity": 1}],
            carrier="sf",
            tracking_number=tracking_number(),
        )


def test_compensation_is_a_credit_or_a_one_use_coupon(cloud: object) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 1, 3900), customer="cus_comp")
    delayed = record(table, order["id"], kind="delayed", resolution={"action": "compensation", "amount": 500})
    assert delayed["resolution"]["credit_id"].startswith("crd_")
    assert credits.balance(table, "cus_comp", "CNY") == 500

    damaged = record(table, order["id"], kind="damaged")
    code = f"SORRY{ids.new_id('x')[-6:].upper()}"
    resolve(table, order, damaged["id"], action="compensation", amount=800, coupon_code=code)
    coupon, _ = catalog.get_coupon(table, code, "cus_comp")
    assert coupon is not None and (coupon.kind, coupon.value, coupon.total_limit) == ("fixed", 800, 1)
    third = record(table, order["id"], kind="missing_item")
    with pytest.raises(Conflict) as taken:
        resolve(table, order, third["id"], action="compensation", amount=100, coupon_code=code)
    assert taken.value.code == "coupon_code_in_use"


def test_recording_the_same_exception_twice_keeps_one(cloud: object) -> None:
    table = Table()
    order = paid_order(table, (stocked_product(table, 5), 1, 3900))
    exception_id = ids.new_id("exc")
    request = ExceptionInput.model_validate({"kind": "refused"})
    first = order_exceptions.record(table, order["id"], request, exception_id, "staff_1")
    second = order_exceptions.record(table, order["id"], request, exception_id, "staff_1")
    assert first["id"] == second["id"]
    assert len(fresh(table, order["id"])["exceptions"]) == 1


def test_an_exception_kept_only_in_the_order_can_be_resolved_too(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5)
    checked = validate(step_input(order_request((tea, 1, 3900)), "cus_mismatch"), table)
    order = reserve(checked, table)["order"]
    wrong = payments.PaymentEvent(
        event_id=ids.new_id("evt"),
        type="payment.succeeded",
        order_id=order["id"],
        payment_id="pay_short",
        amount=1,
        currency="CNY",
        occurred_at=clock.now(),
    )
    assert payments.handle(table, wrong) == "mismatch"
    [mismatch] = fresh(table, order["id"])["exceptions"]
    resolve(table, order, mismatch["id"], action="contact_customer", note="asked to pay the rest")
    assert fresh(table, order["id"])["exceptions"][0]["status"] == "resolved"
