"""Outbound webhooks in the console: subscribe (the secret shown once), watch a delivery fail and be
retried, see every attempt, replay it by hand, pause the subscription."""

from __future__ import annotations

import uuid

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.console.test_console_day import nav, sign_in
from tests.e2e.shop import ok, order_body, place, product
from tests.webhook_subscriber import Subscriber


def test_subscriptions_deliveries_and_replay(page: Page, console_stack: StackClient, shots: Shots) -> None:
    stack = console_stack
    endpoint = Subscriber(answers=[500])
    try:
        sign_in(page, stack)
        nav(page, "Webhooks")
        page.locator('[name="url"]').fill(endpoint.url)
        page.locator('[name="event_types"]').fill("order.placed, order.paid")
        page.locator('[name="owner_email"]').fill("ops@shop.example")
        page.get_by_role("button", name="Subscribe").click()
        secret = page.locator("[data-secret] code")
        expect(secret).to_contain_text("whsec_")
        shown_secret = secret.inner_text()
        row = page.locator("[data-webhooks] tbody tr")
        expect(row).to_contain_text(endpoint.url)
        expect(row).to_contain_text("order.paid, order.placed")

        shirt = product(stack, 5, price=12900)
        ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
        assert stack.idle()
        page.reload()
        expect(page.locator("[data-webhooks] tbody tr")).to_contain_text("failing")
        row.click()
        deliveries = page.locator("[data-webhook] tbody tr")
        expect(deliveries).to_contain_text("order.placed")
        expect(deliveries).to_contain_text("HTTP 500")
        expect(deliveries.locator("[data-status]")).to_have_text("retrying")

        stack.advance(10)
        ok(stack.run_schedule("retry-webhooks"))
        assert stack.idle()
        page.reload()
        expect(deliveries.locator("[data-status]")).to_have_text("delivered")
        expect(deliveries.locator("[data-attempt]")).to_have_count(2)
        shots.take("webhook-deliveries")

        page.locator("[data-replay]").click()
        expect(page.locator('[data-banner="success"]')).to_contain_text("Delivery queued again")
        assert stack.idle()
        assert len(endpoint.received) == 3
        assert len({headers["webhook-id"] for headers, _ in endpoint.received}) == 1
        assert endpoint.verified(shown_secret)

        page.locator('[data-action="pause"]').click()
        expect(page.locator('[data-banner="success"]')).to_contain_text("Subscription paused")
        expect(page.locator("[data-webhook] dl [data-status]")).to_have_text("paused")
    finally:
        endpoint.close()
