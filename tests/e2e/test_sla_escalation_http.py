"""What waits for a person past its deadline is flagged once and staff are told: an order held for review
(a customized product) escalated by the ``sla-escalation`` schedule after the review SLA, over HTTP."""

from __future__ import annotations

import uuid

from oms_local.testing import StackClient

from tests.e2e.shop import ok, order_body, pay, place, product


def test_an_order_held_for_review_past_its_deadline_is_escalated_once(stack: StackClient) -> None:
    customized = product(stack, 5, price=3900, flags=["customized"])
    order = ok(place(stack, order_body((customized, 1, 3900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    pay(stack, order)
    assert stack.idle()
    path = f"/v1/admin/orders/{order['id']}"
    held = ok(stack.request("GET", path, token=stack.admin_token()))
    assert held["status"] == "under_review" and held["review_due_at"]

    assert ok(stack.run_schedule("sla-escalation"))
    assert "escalated_at" not in ok(stack.request("GET", path, token=stack.admin_token()))  # not due yet
    stack.advance(25 * 3600)
    assert ok(stack.run_schedule("sla-escalation"))
    assert ok(stack.run_schedule("sla-escalation"))  # once
    assert stack.idle()
    escalated = ok(stack.request("GET", path, token=stack.admin_token()))
    assert escalated["escalated_at"] and escalated["status"] == "under_review"
    assert [e["type"] for e in escalated["timeline"]].count("sla_breached") == 1
