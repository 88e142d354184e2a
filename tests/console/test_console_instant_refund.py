"""An instant refund in the console: the return's page shows the decision, the refund and the dispute."""

from __future__ import annotations

import re

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.console.test_console_day import nav, sign_in
from tests.e2e.shop import carrier_event, delivered_order, ok, product
from tests.e2e.test_instant_refund_http import completed_orders, hand_to_carrier, now
from tests.e2e.test_returns_http import ask, customer, inspect


def test_an_instant_refund_and_its_dispute_on_the_returns_page(
    page: Page, console_stack: StackClient, shots: Shots
) -> None:
    stack = console_stack
    buyer = customer()
    completed_orders(stack, buyer, 3)
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    item = ok(ask(stack, buyer, order, "no_reason", (shirt, 1)), 201)
    tracking = hand_to_carrier(stack, buyer, item)
    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()
    inspect(stack, item, (shirt, 1, "not_original"))
    assert stack.idle()

    sign_in(page, stack)
    page.goto(f"{stack.url}/console/#/returns/{item['id']}")
    card = page.locator('[data-instant-refund="issued"]')
    expect(card).to_contain_text("Refunded at the first scan")
    expect(card).to_contain_text("129.00")
    refund = page.locator('[data-card="refund"]')
    expect(refund).to_contain_text("shortfallCN¥129.00")
    expect(refund).to_contain_text(re.compile("succeeded", re.IGNORECASE))
    refund.scroll_into_view_if_needed()
    shots.take("return-instant-refund", docs=True)

    page.goto(f"{stack.url}/console/#/orders/{order['id']}")
    expect(page.locator("main")).to_contain_text("Instant refund disputed")

    nav(page, "Reports")
    returns = page.locator('[data-report="returns"]')
    expect(returns).to_contain_text("Instant refunds1")
    expect(returns).to_contain_text("Instant refunds disputed100")
