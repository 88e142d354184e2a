"""A refund only in the console: an interception the carrier could not carry out waits for staff on the
return's page, with where the goods were and what the carrier said; staff approve it there and see what
was settled."""

from __future__ import annotations

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.console.test_console_day import sign_in, submit_in
from tests.e2e.shop import carrier_event, ok, product
from tests.e2e.test_instant_refund_http import now
from tests.e2e.test_refund_only_http import refund_only, shipped_order
from tests.e2e.test_returns_http import customer


def test_a_failed_interception_is_decided_on_the_returns_page(
    page: Page, console_stack: StackClient, shots: Shots
) -> None:
    stack = console_stack
    buyer = customer()
    mixer = product(stack, 3, price=45900)
    order, tracking = shipped_order(stack, buyer, mixer, 45900)
    item = ok(refund_only(stack, buyer, order, mixer, 1), 201)
    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()

    sign_in(page, stack)
    page.goto(f"{stack.url}/console/#/returns/{item['id']}")
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "under_review")
    card = page.locator('[data-card="refund-only"]')
    expect(card).to_have_attribute("data-route", "intercept")
    expect(card).to_contain_text("Intercepted in transit")
    expect(card.locator("[data-interception]")).to_contain_text("Delivered after all")
    expect(page.locator('[data-card="request"]')).to_contain_text("Refund only")
    shots.take("return-refund-only", docs=True)

    page.get_by_label("Approve").check()
    page.locator('[name="reason"]').fill("the buyer refused the parcel at the door")
    submit_in(page, "reason")
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "refund_pending")
    assert stack.idle()  # the provider confirms the refund
    page.reload()
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "refunded")
    settled = page.locator('[data-card="refund-only"]')
    expect(settled).to_contain_text("Settled")
    expect(settled).to_contain_text("459.00")
    expect(page.locator('[data-card="refund"]')).to_contain_text("459.00")
