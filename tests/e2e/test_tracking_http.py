"""Tracking and exception orders over HTTP: signed carrier webhooks -> tracking queue -> track-shipment step;
the stale-shipments job; staff recording and settling exceptions; the buyer fixing an address; the carrier
report."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from oms import signatures
from oms_local.testing import Response, StackClient

from tests.e2e.shop import ADDRESS, ok, order_body, place, product

CUSTOMER = "cus_tracking"


# -- driving the story


def local_now(stack: StackClient) -> datetime:
    """The clock every handler reads (it may have been moved)."""
    now = ok(stack.request("GET", "/_local/clock"))["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00"))


def signed(stack: StackClient, path: str, payload: dict[str, Any], secret: str, *, skew: int = 0) -> Response:
    body = json.dumps(payload, ensure_ascii=False)
    timestamp = int(local_now(stack).timestamp()) + skew
    headers = {"Content-Type": "application/json", "X-Signature": signatures.sign(secret, body, timestamp)}
    return stack.request("POST", path, body=body.encode(), headers=headers)


def paid_order(stack: StackClient, *lines: tuple[str, int, int]) -> dict[str, Any]:
    order = ok(place(stack, order_body(*lines), CUSTOMER), 201)
    payment = {
        "event_id": f"evt_{uuid.uuid4().hex[:12]}",
        "type": "payment.succeeded",
        "order_id": order["id"],
        "payment_id": f"pay_{uuid.uuid4().hex[:8]}",
        "amount": order["totals"]["total"],
        "currency": order["totals"]["currency"],
        "occurred_at": local_now(stack).isoformat(),
    }
    assert (
        ok(signed(stack, "/v1/webhooks/payments", payment, stack.payment_webhook_secret))["outcome"] == "paid"
    )
    return dict(order)


def ship(stack: StackClient, order: dict[str, Any], carrier: str = "sf", **extra: Any) -> str:
    number = f"SF{uuid.uuid4().hex[:10].upper()}"
    ok(
        stack.request(
            "POST",
            f"/v1/admin/orders/{order['id']}/shipments",
            json={"carrier": carrier, "tracking_number": number, **extra},
            token=stack.admin_token(),
        ),
        201,
    )
    return number


def carrier_event(
    number: str, status: str, at: datetime, event_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id or f"ev_{uuid.uuid4().hex[:10]}",
        "tracking_number": number,
        "status": status,
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        **extra,
    }


def tell(stack: StackClient, payload: dict[str, Any], carrier: str = "sf") -> Response:
    return signed(stack, f"/v1/webhooks/carriers/{carrier}", payload, stack.carrier_secret(carrier))


def order_as_buyer(stack: StackClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(CUSTOMER))))


def open_exceptions(stack: StackClient) -> list[dict[str, Any]]:
    return list(ok(stack.request("GET", "/v1/admin/exceptions", token=stack.admin_token()))["items"])


# -- the stories


def test_carrier_events_out_of_order_and_twice_end_delivered(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = paid_order(stack, (tea, 1, 3900))
    number = ship(stack, order)
    now = local_now(stack)
    delivered = carrier_event(number, "delivered", now - timedelta(hours=1), "sf_4", location="济南")
    arrivals = [
        carrier_event(number, "out_for_delivery", now - timedelta(hours=5), "sf_3", location="济南"),
        delivered,
        carrier_event(number, "info_received", now - timedelta(hours=30), "sf_1"),
        carrier_event(number, "in_transit", now - timedelta(hours=20), "sf_2", location="上海"),
        delivered,
    ]
    answers = [tell(stack, a) for a in arrivals]
    assert all(a.status in (200, 202) for a in answers), [a.text for a in answers]
    assert answers[0].json()["outcome"] == "queued"
    assert stack.idle()
    assert ok(tell(stack, delivered))["outcome"] == "duplicate"  # applied already: answered at once

    seen = order_as_buyer(stack, order)
    assert seen["status"] == "delivered"
    [parcel] = seen["shipments"]
    assert parcel["status"] == "delivered"
    assert [h["event_id"] for h in parcel["history"]] == ["sf_1", "sf_2", "sf_3", "sf_4"]
    assert [h.get("location") for h in parcel["history"]] == [None, "上海", "济南", "济南"]

    # A late word from before the delivery changes nothing.
    assert tell(stack, carrier_event(number, "in_transit", now - timedelta(hours=10))).status == 202
    assert stack.idle()
    assert order_as_buyer(stack, order)["status"] == "delivered"
    assert len(order_as_buyer(stack, order)["shipments"][0]["history"]) == 5
    sent = [n for n in stack.notifications() if order["id"] in (n.get("subject") or "") + n["body"]]
    assert any("已送达" in n["body"] for n in sent)


def test_a_damaged_parcel_opens_an_exception_staff_can_see_and_settle(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = paid_order(stack, (tea, 1, 3900))
    number = ship(stack, order)
    assert (
        tell(stack, carrier_event(number, "damaged", local_now(stack), description="外箱破损")).status == 202
    )
    assert stack.idle()

    [listed] = [e for e in open_exceptions(stack) if e["order_id"] == order["id"]]
    assert (listed["kind"], listed["owner"], listed["source"], listed["overdue"]) == (
        "damaged",
        "unassigned",
        "carrier",
        False,
    )
    assert listed["deadline"] > local_now(stack).isoformat()
    assert listed["detail"]["description"] == "外箱破损"
    assert order_as_buyer(stack, order)["exceptions"][0]["status"] == "open"
    told = [n for n in stack.notifications() if order["id"] in n["body"]]
    assert any("包裹破损" in n["body"] for n in told)

    stack.advance(25 * 3600)
    [late] = [e for e in open_exceptions(stack) if e["order_id"] == order["id"]]
    assert late["overdue"] is True

    settle = stack.request(
        "POST",
        f"/v1/admin/orders/{order['id']}/exceptions/{listed['id']}/resolve",
        json={"action": "partial_refund", "amount": 1000, "note": "kept the item"},
        token=stack.admin_token(),
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    settled = ok(settle)
    assert settled["status"] == "resolved" and settled["resolution"]["amount"] == 1000
    assert order["id"] not in [e["order_id"] for e in open_exceptions(stack)]
    assert stack.idle()
    refunds = ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token()))[
        "refunds"
    ]
    assert [r["amount"] for r in refunds] == [1000]


def test_forged_or_old_carrier_webhooks_are_401_and_change_nothing(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = paid_order(stack, (tea, 1, 3900))
    number = ship(stack, order)
    event = carrier_event(number, "delivered", local_now(stack))
    forged = signed(stack, "/v1/webhooks/carriers/sf", event, "not-the-secret")
    old = signed(stack, "/v1/webhooks/carriers/sf", event, stack.carrier_secret("sf"), skew=-301)
    unsigned = stack.request("POST", "/v1/webhooks/carriers/sf", json=event)
    for answer in (forged, old, unsigned):
        assert answer.status == 401, answer.text
        assert answer.json()["code"] == "invalid_signature"
    assert stack.idle()
    assert order_as_buyer(stack, order)["status"] == "shipped"
    assert order_as_buyer(stack, order)["shipments"][0]["history"] == []
    bad = tell(stack, {**event, "status": "teleported"})
    assert bad.status == 422 and bad.json()["errors"][0]["field"] == "status"


def test_a_silent_carrier_gets_the_parcel_a_delayed_exception_once(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = paid_order(stack, (tea, 1, 3900))
    ship(stack, order)
    ok(stack.run_schedule("stale-shipments"))
    assert order["id"] not in [e["order_id"] for e in open_exceptions(stack)]

    stack.advance(73 * 3600)
    ok(stack.run_schedule("stale-shipments"))
    ok(stack.run_schedule("stale-shipments"))
    mine = [e for e in open_exceptions(stack) if e["order_id"] == order["id"]]
    assert [(e["kind"], e["source"]) for e in mine] == [("delayed", "system")]
    assert stack.idle()
    assert any("配送延误" in n["body"] for n in stack.notifications() if order["id"] in n["body"])


def test_staff_hold_an_order_for_its_address_and_the_buyer_fixes_it(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = paid_order(stack, (tea, 1, 3900))
    key = uuid.uuid4().hex
    request = {"kind": "address_incomplete", "note": "no building number", "owner": "li.lei"}
    recorded = [
        stack.request(
            "POST",
            f"/v1/admin/orders/{order['id']}/exceptions",
            json=request,
            token=stack.admin_token(),
            headers={"Idempotency-Key": key},
        )
        for _ in range(2)
    ]
    assert recorded[0].status == recorded[1].status == 201 and recorded[0].body == recorded[1].body
    assert recorded[0].json()["owner"] == "li.lei"
    assert order_as_buyer(stack, order)["status"] == "on_hold"
    queue = ok(stack.request("GET", "/v1/admin/fulfillment-queue", token=stack.admin_token()))["items"]
    assert order["id"] not in [o["id"] for o in queue]

    path = f"/v1/orders/{order['id']}/shipping-address"
    buyer = stack.customer_token(CUSTOMER)
    incomplete = stack.request("PATCH", path, json={**ADDRESS, "line1": "", "phone": ""}, token=buyer)
    assert incomplete.status == 422 and incomplete.json()["code"] == "address_incomplete"
    fields = sorted(e["field"] for e in incomplete.json()["errors"])
    assert fields == ["shipping_address.line1", "shipping_address.phone"]
    assert (
        stack.request("PATCH", path, json=ADDRESS, token=stack.customer_token("cus_someone_else")).status
        == 404
    )

    fixed = ok(stack.request("PATCH", path, json={**ADDRESS, "line1": "人民路 1 号 3 栋 201"}, token=buyer))
    assert fixed["status"] == "awaiting_fulfillment"
    assert fixed["shipping_address"]["line1"] == "人民路 1 号 3 栋 201"
    assert [e["status"] for e in fixed["exceptions"]] == ["resolved"]
    queue = ok(stack.request("GET", "/v1/admin/fulfillment-queue", token=stack.admin_token()))["items"]
    assert order["id"] in [o["id"] for o in queue]
    assert order["id"] not in [e["order_id"] for e in open_exceptions(stack)]

    ship(stack, order)
    late = stack.request("PATCH", path, json=ADDRESS, token=buyer)
    assert late.status == 409 and late.json()["code"] == "order_already_shipped"


def test_a_lost_parcel_is_sent_again_from_stock(stack: StackClient) -> None:
    tea = product(stack, 2)
    order = paid_order(stack, (tea, 2, 3900))
    number = ship(stack, order)
    assert tell(stack, carrier_event(number, "lost", local_now(stack))).status == 202
    assert stack.idle()
    [lost] = [e for e in open_exceptions(stack) if e["order_id"] == order["id"]]
    path = f"/v1/admin/orders/{order['id']}/exceptions/{lost['id']}/resolve"
    again = {
        "action": "reship",
        "items": [{"sku": tea, "quantity": 2}],
        "carrier": "sf",
        "tracking_number": "SFRESHIP001",
    }
    short = stack.request("POST", path, json=again, token=stack.admin_token())
    assert short.status == 409 and short.json()["code"] == "insufficient_stock"
    ok(
        stack.request(
            "POST",
            f"/v1/admin/inventory/{tea}/adjustments",
            json={"delta": 2, "reason": "received"},
            token=stack.admin_token(),
        ),
        201,
    )
    assert ok(stack.request("POST", path, json=again, token=stack.admin_token()))["status"] == "resolved"
    assert ok(stack.request("GET", f"/v1/admin/inventory/{tea}", token=stack.admin_token()))["available"] == 0
    assert tell(stack, carrier_event("SFRESHIP001", "delivered", local_now(stack))).status == 202
    assert stack.idle()
    seen = order_as_buyer(stack, order)
    assert seen["status"] == "delivered"
    assert sorted(s["status"] for s in seen["shipments"]) == ["delivered", "lost"]


def test_the_carrier_report_counts_each_parcel_of_the_period(stack: StackClient) -> None:
    tea = product(stack, 10)
    orders = [paid_order(stack, (tea, 1, 3900)) for _ in range(4)]
    numbers = [ship(stack, o, carrier="yto") for o in orders[:3]] + [ship(stack, orders[3], carrier="zto")]
    now = local_now(stack)
    tell(stack, carrier_event(numbers[0], "delivered", now + timedelta(hours=12)), "yto")
    tell(
        stack, carrier_event(numbers[1], "delivered", now + timedelta(days=30)), "yto"
    )  # well after the promise
    tell(stack, carrier_event(numbers[2], "damaged", now), "yto")
    tell(stack, carrier_event(numbers[2], "lost", now + timedelta(hours=1)), "yto")
    tell(stack, carrier_event(numbers[3], "delivered", now + timedelta(hours=24)), "zto")
    assert stack.idle()

    day = now.date().isoformat()
    report = ok(
        stack.request("GET", f"/v1/admin/reports/carriers?from={day}&to={day}", token=stack.admin_token())
    )
    rows = {r["carrier"]: r for r in report["carriers"]}
    yto, zto = rows["yto"], rows["zto"]
    assert (yto["shipments"], yto["delivered"], yto["delivered_on_time"]) == (3, 2, 1)
    assert yto["on_time_rate"] == 0.5
    assert (yto["exception_rate"], yto["damage_rate"], yto["loss_rate"]) == (0.3333, 0.3333, 0.3333)
    assert 365.9 < yto["average_transit_hours"] < 366.1  # (12 h + 30 days) / 2
    assert (zto["shipments"], zto["on_time_rate"], zto["exception_rate"]) == (1, 1.0, 0.0)
    assert 23.9 < zto["average_transit_hours"] < 24.1
    earlier = (now.date() - timedelta(days=3)).isoformat()
    empty = ok(
        stack.request(
            "GET", f"/v1/admin/reports/carriers?from={earlier}&to={earlier}", token=stack.admin_token()
        )
    )
    assert empty["carriers"] == []
    backwards = stack.request(
        "GET", f"/v1/admin/reports/carriers?from={day}&to={earlier}", token=stack.admin_token()
    )
    assert backwards.status == 422


def test_customers_cannot_reach_the_exception_desk(stack: StackClient) -> None:
    buyer = stack.customer_token(CUSTOMER)
    assert stack.request("GET", "/v1/admin/exceptions", token=buyer).status == 403
    assert stack.request("GET", "/v1/admin/reports/carriers", token=buyer).status == 403
    answer = stack.request(
        "POST", "/v1/admin/orders/ord_00000000000000000000/exceptions", json={"kind": "lost"}, token=buyer
    )
    assert answer.status == 403
