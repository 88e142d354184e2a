"""The whole story of an order over HTTP, moving the clock instead of sleeping:
place -> pay (signed webhook) -> review -> ship -> carrier events out of order and twice -> delivered
-> auto-confirm -> archived."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from oms import clock
from oms_local.testing import StackClient

from tests.e2e.shop import carrier_event, ok, order_body, pay, place, product, ship


def test_the_whole_story_of_an_order(stack: StackClient) -> None:
    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    admin = stack.admin_token()
    phone = product(stack, 3, price=699900)
    order = ok(place(stack, order_body((phone, 1, 699900)), buyer), 201)

    pay(stack, order)  # a large amount: a person must look at it
    held = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(buyer)))
    assert held["status"] == "under_review" and held["review_reasons"] == ["large_amount"]
    queue = ok(stack.request("GET", "/v1/admin/review-queue", token=admin))
    assert order["id"] in [i["id"] for i in queue["items"]]
    ok(
        stack.request(
            "POST",
            f"/v1/admin/orders/{order['id']}/review",
            json={"decision": "approve", "reason": "ok"},
            token=admin,
        )
    )
    picking = ok(stack.request("GET", "/v1/admin/fulfillment-queue", token=admin))
    assert order["id"] in [i["id"] for i in picking["items"]]

    tracking = ship(stack, order)
    now = clock.parse(ok(stack.request("GET", "/_local/clock"))["now"])
    t1, t2, t3 = (clock.iso(now + timedelta(hours=h)) for h in (1, 5, 9))
    carrier_event(stack, tracking, "delivered", t3, event_id="sf_ev3")  # the last news arrives first
    carrier_event(stack, tracking, "in_transit", t1, event_id="sf_ev1")
    carrier_event(stack, tracking, "out_for_delivery", t2, event_id="sf_ev2")
    carrier_event(stack, tracking, "delivered", t3, event_id="sf_ev3")  # and twice
    assert stack.idle()
    delivered = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(buyer)))
    assert delivered["status"] == "delivered", delivered["status"]
    history = delivered["shipments"][0]["history"]
    assert [h["status"] for h in history] == ["in_transit", "out_for_delivery", "delivered"]

    stack.advance(8 * 24 * 3600)
    assert ok(stack.run_schedule("auto-confirm-receipt"))
    completed = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(buyer)))
    assert completed["status"] == "completed" and completed["completed_by"] == "automatic"

    stack.advance(31 * 24 * 3600)
    assert ok(stack.run_schedule("archive-orders"))
    s3 = stack.cloud.client("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "archive" in b["Name"].lower())
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    lines = [
        json.loads(line)
        for key in keys
        for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    ]
    archived = next(line for line in lines if line["id"] == order["id"])
    assert archived["status"] == "completed" and archived["shipments"][0]["tracking_number"] == tracking
    assert all(key.startswith("orders/date=") and key.endswith(".jsonl") for key in keys)
    still = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(buyer)))
    assert still["archived_at"]  # archived, and still readable

    assert stack.idle()
    notices = [
        n
        for n in stack.notifications()
        if order["id"] in n["body"] or order["id"] in (n.get("subject") or "")
    ]
    assert len(notices) >= 4  # placed, paid, shipped, delivered at least
