"""Buyer feedback in the console: on the order's page, and per SKU and carrier in the reports."""

from __future__ import annotations

import uuid

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.console.test_console_day import nav, sign_in
from tests.e2e.shop import delivered_order, ok, product


def test_feedback_on_the_order_page_and_in_the_reports(
    page: Page, console_stack: StackClient, shots: Shots
) -> None:
    stack = console_stack
    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    tea = product(stack, 5, price=3900)
    order = delivered_order(stack, (tea, 1, 3900), customer=buyer)
    token = stack.customer_token(buyer)
    ok(stack.request("POST", f"/v1/orders/{order['id']}/confirm-receipt", token=token))
    body = {"rating": 4, "tags": ["fast_delivery", "well_packed"], "comment": "Arrived in two days"}
    ok(stack.request("PUT", f"/v1/orders/{order['id']}/feedback", json=body, token=token))
    assert stack.idle()

    sign_in(page, stack)
    page.goto(f"{stack.url}/console/#/orders/{order['id']}")
    card = page.locator('[data-feedback="4"]')
    expect(card).to_contain_text("(4/5)")
    expect(card).to_contain_text("Fast delivery, Well packed")
    expect(card).to_contain_text("Arrived in two days")
    shots.take("order-feedback")

    nav(page, "Reports")
    report = page.locator('[data-report="feedback"]')
    expect(report).to_contain_text(tea)
    expect(report).to_contain_text("SF Express")
    expect(report).to_contain_text("Fast delivery ×1")
