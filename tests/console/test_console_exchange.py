"""An exchange in the console: the return's page shows what the buyer wants instead, the difference they
pay, the replacement order (reserved, then released at the parcel's first scan), and staff inspect the
parcel there."""

from __future__ import annotations

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.console.test_console_day import nav, sign_in
from tests.e2e.shop import delivered_order, ok, payment, product
from tests.e2e.test_exchange_http import exchange
from tests.e2e.test_instant_refund_http import hand_to_carrier, order_of
from tests.e2e.test_returns_http import customer


def test_an_exchange_and_its_replacement_on_the_returns_page(
    page: Page, console_stack: StackClient, shots: Shots
) -> None:
    stack = console_stack
    buyer = customer()
    medium, large = product(stack, 5, price=10000), product(stack, 5, price=12000)
    order = delivered_order(stack, (medium, 1, 10000), customer=buyer)
    item = ok(exchange(stack, buyer, order, "no_reason", (medium, 1, large)), 201)
    replacement = item["exchange"]["replacement_order_id"]

    sign_in(page, stack)
    page.goto(f"{stack.url}/console/#/returns/{item['id']}")
    card = page.locator('[data-card="exchange"]')
    expect(card).to_have_attribute("data-exchange-state", "approved")
    expect(card).to_contain_text(large)
    expect(card).to_contain_text("Approved: replacement reserved")
    expect(card.locator("[data-difference]")).to_have_attribute("data-difference", "2000")
    expect(card).to_contain_text("Buyer pays")
    expect(card).to_contain_text("20.00")
    expect(card).to_contain_text(replacement)
    expect(page.locator('[data-card="request"]')).to_contain_text("Exchange")

    ok(payment(stack, order_of(stack, {"id": replacement}), 2000))
    hand_to_carrier(stack, buyer, item)
    page.reload()
    expect(card).to_have_attribute("data-exchange-state", "released")
    expect(card).to_contain_text("At the return parcel's first scan")
    card.scroll_into_view_if_needed()
    shots.take("return-exchange", docs=True)
    card.get_by_role("link", name=replacement).click()
    expect(page.locator("main")).to_contain_text(replacement)
    assert stack.idle()
    nav(page, "Reports")
    expect(page.locator('[data-report="returns"]')).to_contain_text("Exchanges1")
