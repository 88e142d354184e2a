"""Buyer feedback over HTTP, with the clock moved: given once the order completes, changed within the
window, final after it, never by another buyer, counted per SKU and per carrier, and archived with the order."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from oms import clock
from oms_local.testing import StackClient

from tests.e2e.shop import delivered_order, ok, product

DAY = 24 * 3600


def _feedback(stack: StackClient, order_id: str, buyer: str, body: dict[str, Any] | None = None) -> Any:
    token = stack.customer_token(buyer)
    path = f"/v1/orders/{order_id}/feedback"
    return (
        stack.request("PUT", path, json=body, token=token)
        if body is not None
        else stack.request("GET", path, token=token)
    )


def _problem(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status == status, answer.text
    assert answer.content_type == "application/problem+json"
    body = answer.json()
    assert body["code"] == code, body
    return dict(body)


def _archived(stack: StackClient, order_id: str) -> dict[str, Any]:
    s3 = stack.cloud.client("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "archive" in b["Name"].lower())
    lines = [
        json.loads(line)
        for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        for line in s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().decode().splitlines()
    ]
    return max((line for line in lines if line["id"] == order_id), key=lambda line: line["archived_version"])


def test_feedback_is_given_once_changed_within_the_window_reported_and_archived(stack: StackClient) -> None:
    day0 = clock.parse(ok(stack.request("GET", "/_local/clock"))["now"]).date()
    buyer, stranger = f"cus_{uuid.uuid4().hex[:8]}", f"cus_{uuid.uuid4().hex[:8]}"
    tea = product(stack, 5, price=3900)
    order = delivered_order(stack, (tea, 1, 3900), customer=buyer)

    # Not before the order completes; nothing is kept.
    _problem(_feedback(stack, order["id"], buyer, {"rating": 5}), 409, "order_not_completed")
    _problem(_feedback(stack, order["id"], buyer), 404, "feedback_not_found")
    ok(stack.request("POST", f"/v1/orders/{order['id']}/confirm-receipt", token=stack.customer_token(buyer)))

    given = ok(
        _feedback(
            stack, order["id"], buyer, {"rating": 4, "tags": ["fast_delivery"], "comment": " Lovely tea "}
        )
    )
    assert (given["rating"], given["tags"], given["comment"], given["edits"]) == (
        4,
        ["fast_delivery"],
        "Lovely tea",
        0,
    )
    assert clock.parse(given["editable_until"]) == clock.parse(given["given_at"]) + timedelta(days=7)
    assert ok(_feedback(stack, order["id"], buyer)) == given

    # Another buyer learns nothing of the order; bad input is refused, naming the field; nothing changes.
    _problem(_feedback(stack, order["id"], stranger, {"rating": 1}), 404, "order_not_found")
    bad = _problem(
        _feedback(stack, order["id"], buyer, {"rating": 6, "tags": ["nope"]}), 422, "validation_failed"
    )
    assert {e["field"].split(".")[-1] for e in bad["errors"]} >= {"rating"}
    assert ok(_feedback(stack, order["id"], buyer)) == given

    stack.advance(3 * DAY)
    changed = ok(_feedback(stack, order["id"], buyer, {"rating": 2, "tags": ["damaged"]}))
    assert (changed["rating"], changed["tags"], changed["comment"], changed["edits"]) == (
        2,
        ["damaged"],
        None,
        1,
    )
    assert changed["given_at"] == given["given_at"]  # the window runs from the first feedback

    stack.advance(5 * DAY)
    final = _problem(_feedback(stack, order["id"], buyer, {"rating": 5}), 409, "feedback_closed")
    assert final["closed_at"] == given["editable_until"]
    assert ok(_feedback(stack, order["id"], buyer))["rating"] == 2

    staff = ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token()))
    assert staff["feedback"]["rating"] == 2 and staff["feedback_rating"] == 2

    # Counted once per buyer: the edit replaced the first rating and its tag.
    assert stack.idle()
    today = clock.parse(ok(stack.request("GET", "/_local/clock"))["now"]).date()
    report = ok(
        stack.request("GET", f"/v1/admin/reports/feedback?from={day0}&to={today}", token=stack.admin_token())
    )
    (sku,) = [row for row in report["skus"] if row["sku"] == tea]
    assert sku == {
        "sku": tea,
        "feedbacks": 1,
        "average_rating": 2.0,
        "ratings": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0},
        "tags": {"damaged": 1},
    }
    carriers = {row["carrier"]: row for row in report["carriers"]}
    assert carriers["sf"]["feedbacks"] >= 1
    _problem(
        stack.request("GET", "/v1/admin/reports/feedback", token=stack.customer_token(buyer)),
        403,
        "forbidden",
    )

    stack.advance(31 * DAY)
    assert ok(stack.run_schedule("archive-orders"))
    archived = _archived(stack, order["id"])
    assert (archived["feedback"]["rating"], archived["feedback"]["tags"]) == (2, ["damaged"])
