"""The back office's search, inspection queue and reports over HTTP, after a few orders' stories with the
clock moved: each answers what happened, staff only, and a bad query is a 422 problem+json."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from typing import Any

from oms import clock
from oms_local.testing import StackClient

from tests.e2e.shop import delivered_order, ok, order_body, pay, place, product
from tests.e2e.test_returns_http import ask, customer, inspect, send_back

HOUR = 3600


def admin_get(stack: StackClient, path: str) -> Any:
    return ok(stack.request("GET", path, token=stack.admin_token()))


def search(stack: StackClient, query: str) -> list[str]:
    return [o["id"] for o in admin_get(stack, f"/v1/admin/orders?{query}")["items"]]


def test_search_inspection_queue_and_reports_tell_the_story(stack: StackClient) -> None:
    day0 = clock.parse(ok(stack.request("GET", "/_local/clock"))["now"]).date()
    shirt = product(stack, 10, price=12900, category="apparel")
    mug = product(stack, 10, price=5000, category="kitchen")
    alice, bob, carol = customer(), customer(), customer()

    kept = delivered_order(stack, (mug, 1, 5000), customer=carol)  # delivered, never returned
    returned = delivered_order(stack, (shirt, 1, 12900), customer=alice)
    cancelled = ok(place(stack, order_body((mug, 2, 5000)), bob), 201)
    ok(stack.request("POST", f"/v1/orders/{cancelled['id']}/cancel", token=stack.customer_token(bob)))
    troubled = ok(place(stack, order_body((shirt, 1, 12900), channel="app"), bob), 201)
    pay(stack, troubled)
    ok(
        stack.request(
            "POST",
            f"/v1/admin/orders/{troubled['id']}/exceptions",
            json={"kind": "missing_item", "note": "one sleeve short"},
            token=stack.admin_token(),
        ),
        201,
    )

    # The return: approved by the rules, sent back, arrived; it waits in the inspection queue.
    item = ok(ask(stack, alice, returned, "no_reason", (shirt, 1)), 201)
    send_back(stack, alice, item)
    queue = admin_get(stack, "/v1/admin/inspection-queue")
    (entry,) = queue["items"]
    received_at = clock.parse(entry["received_at"])
    assert entry["kind"] == "return" and entry["id"] == item["id"] and entry["status"] == "received"
    assert clock.parse(entry["deadline"]) == received_at + timedelta(hours=48)
    assert (entry["overdue"], queue["overdue"], entry["reason"]) == (False, 0, "no_reason")

    stack.advance(49 * HOUR)  # staff are late: the parcel is overdue
    late = admin_get(stack, "/v1/admin/inspection-queue")
    assert [(i["id"], i["overdue"]) for i in late["items"]] == [(item["id"], True)] and late["overdue"] == 1
    assert inspect(stack, item, (shirt, 1, "resellable"))["status"] == "refund_pending"
    assert stack.idle()
    assert admin_get(stack, "/v1/admin/inspection-queue")["items"] == []

    # Search: newest first, by every filter, from indexes.
    everyone = search(stack, "limit=50")
    assert everyone == [troubled["id"], cancelled["id"], returned["id"], kept["id"]]
    assert search(stack, "status=cancelled") == [cancelled["id"]]
    assert search(stack, f"customer_id={bob}") == [troubled["id"], cancelled["id"]]
    assert search(stack, f"customer_id={bob}&status=awaiting_fulfillment") == [troubled["id"]]
    assert search(stack, f"sku={shirt}") == [troubled["id"], returned["id"]]
    assert search(stack, "channel=app") == [troubled["id"]]
    assert search(stack, "exception=true") == [troubled["id"]]
    assert search(stack, "exception=false&status=delivered") == [returned["id"], kept["id"]]
    assert search(stack, f"from={day0 + timedelta(days=1)}") == []
    shown = admin_get(stack, f"/v1/admin/orders?customer_id={bob}&limit=1")
    assert shown["items"][0] == {
        "id": troubled["id"],
        "status": "awaiting_fulfillment",
        "customer_id": bob,
        "channel": "app",
        "total": 12900,
        "currency": "CNY",
        "created_at": troubled["placed_at"],
        "paid_at": shown["items"][0]["paid_at"],
        "has_exception": True,
        "open_exceptions": 1,
    }
    assert shown["items"][0]["paid_at"] >= troubled["placed_at"] and shown["next_cursor"]
    rest = admin_get(stack, f"/v1/admin/orders?customer_id={bob}&limit=1&cursor={shown['next_cursor']}")
    assert [o["id"] for o in rest["items"]] == [cancelled["id"]]
    # Pages of one, following the cursor, give the whole list once.
    paged, cursor = [], None
    for _ in range(10):
        page = admin_get(stack, "/v1/admin/orders?limit=1" + (f"&cursor={cursor}" if cursor else ""))
        paged += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == everyone

    # Reports: what happened, by the UTC day of each event.
    period = f"from={day0}&to={day0 + timedelta(days=3)}"
    report = admin_get(stack, f"/v1/admin/reports/orders?{period}")
    totals = report["totals"]
    assert (totals["orders"], totals["cancelled"], totals["delivered"], totals["fulfilled"]) == (4, 1, 2, 2)
    assert totals["gmv"] == {"CNY": sum(o["totals"]["total"] for o in (kept, returned, cancelled, troubled))}
    assert (totals["cancellation_rate"], totals["exception_rate"]) == (0.25, 0.25)
    assert totals["fulfilment_hours_avg"] == 0.0 and totals["delivery_hours_avg"] == 0.0
    assert report["exceptions_by_kind"] == {"missing_item": 1}
    assert [d["date"] for d in report["days"]] == [(day0 + timedelta(days=n)).isoformat() for n in range(4)]
    assert sum(d["orders"] for d in report["days"]) == 4 and sum(d["cancelled"] for d in report["days"]) == 1

    back = admin_get(stack, f"/v1/admin/reports/returns?{period}")
    assert (back["returns"], back["delivered"], back["return_rate"]) == (1, 2, 0.5)
    assert back["by_category"] == [{"category": "apparel", "returns": 1, "delivered": 1, "rate": 1.0}]
    assert back["by_sku"] == [{"sku": shirt, "returns": 1, "delivered": 1, "rate": 1.0}]
    assert back["by_channel"] == [{"channel": "web", "returns": 1, "delivered": 2, "rate": 0.5}]
    assert back["by_reason"] == [{"reason": "no_reason", "returns": 1, "delivered": 2, "rate": 0.5}]
    assert back["approval_rate"] == 1.0
    assert back["refund_sla"] == {"met": 1, "breached": 0, "compliance": 1.0}

    # Another period sees none of it.
    earlier = day0 - timedelta(days=10)
    quiet = admin_get(stack, f"/v1/admin/reports/returns?from={earlier}&to={earlier}")
    assert quiet["returns"] == 0 and quiet["return_rate"] is None


def test_customers_are_refused_the_back_office_routes(stack: StackClient) -> None:
    buyer = stack.customer_token(f"cus_{uuid.uuid4().hex[:8]}")
    for path in (
        "/v1/admin/orders",
        "/v1/admin/inspection-queue",
        "/v1/admin/reports/orders",
        "/v1/admin/reports/returns",
    ):
        answer = stack.request("GET", path, token=buyer)
        assert answer.status == 403, path
        assert answer.content_type.startswith("application/problem+json")


BAD_QUERIES = [
    ("/v1/admin/orders?from=2026-13-01", "validation_failed", "from"),
    ("/v1/admin/orders?to=yesterday", "validation_failed", "to"),
    ("/v1/admin/orders?from=2026-11-20&to=2026-11-10", "validation_failed", "from"),
    ("/v1/admin/orders?status=lost", "validation_failed", "status"),
    ("/v1/admin/orders?channel=fax", "validation_failed", "channel"),
    ("/v1/admin/orders?customer_id=a%20b", "validation_failed", "customer_id"),
    ("/v1/admin/orders?sku=%2Fetc", "validation_failed", "sku"),
    ("/v1/admin/orders?exception=maybe", "validation_failed", "exception"),
    ("/v1/admin/orders?limit=0", "validation_failed", "limit"),
    ("/v1/admin/orders?cursor=not-a-cursor", "invalid_cursor", "cursor"),
    ("/v1/admin/reports/orders?from=2026-02-30", "validation_failed", "from"),
    ("/v1/admin/reports/returns?from=2024-01-01&to=2026-01-01", "validation_failed", "from"),
]


def test_bad_query_parameters_are_422_problems(stack: StackClient) -> None:
    # One stack for every case: each is a read that changes nothing.
    for query, code, field in BAD_QUERIES:
        answer = stack.request("GET", query, token=stack.admin_token())
        assert answer.status == 422, (query, answer.text)
        assert answer.content_type.startswith("application/problem+json"), query
        problem = answer.json()
        assert problem["code"] == code and field in [e["field"] for e in problem["errors"]], (query, problem)


def test_a_cursor_of_another_search_is_refused(stack: StackClient) -> None:
    sku = product(stack, 5)
    for _ in range(2):
        ok(place(stack, order_body((sku, 1, 3900))), 201)
    page = admin_get(stack, "/v1/admin/orders?limit=1")
    assert page["next_cursor"]
    other = stack.request(
        "GET",
        f"/v1/admin/orders?limit=1&status=cancelled&cursor={page['next_cursor']}",
        token=stack.admin_token(),
    )
    assert other.status == 422 and other.json()["code"] == "invalid_cursor"
    # The right search with a key edited to point elsewhere is refused too, never sent to the table.
    cursor = json.loads(base64.urlsafe_b64decode(page["next_cursor"]))
    cursor["key"]["order_day"] = {"S": "1999-01-01"}
    forged = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()
    answer = stack.request("GET", f"/v1/admin/orders?limit=1&cursor={forged}", token=stack.admin_token())
    assert answer.status == 422 and answer.json()["code"] == "invalid_cursor"
    following = admin_get(stack, f"/v1/admin/orders?limit=1&cursor={page['next_cursor']}")
    assert len(following["items"]) == 1 and following["items"][0]["id"] != page["items"][0]["id"]
