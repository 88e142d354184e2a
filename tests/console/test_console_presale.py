"""A presale order in the console: its status while the balance is awaited, the deposit and the balance,
the window and the terms; after the close, the deposit kept."""

from __future__ import annotations

import uuid

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.console.test_console_day import sign_in
from tests.e2e.shop import ok, order_body, payment, place
from tests.e2e.test_presale_http import presale_product


def test_a_presale_order_shows_its_deposit_balance_window_and_terms(
    page: Page, console_stack: StackClient, shots: Shots
) -> None:
    stack = console_stack
    sku, _ = presale_product(stack)
    order = ok(place(stack, order_body((sku, 1, 19900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    ok(payment(stack, order, 2000))
    assert stack.idle()

    sign_in(page, stack)
    page.goto(f"{stack.url}/console/#/orders/{order['id']}")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "awaiting_balance")
    plan = page.locator("[data-payment-plan]")
    expect(plan).to_contain_text("CN¥20.00")
    expect(plan).to_contain_text(f"CN¥{(order['totals']['total'] - 2000) / 100:.2f}")
    expect(plan).to_contain_text("the deposit is kept")
    plan.scroll_into_view_if_needed()
    shots.take("order-presale", docs=True)

    stack.advance(5 * 86400)
    ok(stack.run_schedule("release-unpaid"))  # opens
    ok(stack.run_schedule("release-unpaid"))  # closing
    ok(stack.run_schedule("release-unpaid"))  # closed: cancelled
    assert stack.idle()
    page.reload()
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "cancelled")
    expect(page.locator("[data-payment-plan]")).to_contain_text("Deposit kept")
