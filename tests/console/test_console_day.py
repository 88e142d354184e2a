"""A day at the back-office console, in a real browser against the local stack.

The shop is seeded through the HTTP API as its users would (buyers order and pay, carriers report);
staff work only through the console's pages: sign in, review and ship an order, decide a return,
inspect the parcel, see the refund, open the reports. Screenshots of every page are kept as artefacts.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.e2e.shop import carrier_event, ok, order_body, pay, place, product

BUYER = "cus_console"
PHOTO = "https://img.example/shirt-tags.jpg"
# The buyer's photo, served by the test in place of the image host.
PHOTO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="280" height="200" viewBox="0 0 280 200">'
    '<rect width="280" height="200" fill="#dfe7f2"/>'
    '<path d="M90 40 l30 -15 h40 l30 15 l35 30 l-22 26 l-18 -14 v95 h-90 v-95 l-18 14 l-22 -26 z" fill="#4a6fa5"/>'
    '<rect x="150" y="70" width="26" height="34" rx="3" fill="#fff"/>'
    '<circle cx="163" cy="76" r="3" fill="#4a6fa5"/></svg>'
)


def now(stack: StackClient) -> str:
    return str(ok(stack.request("GET", "/_local/clock"))["now"])


def order_held_for_review(stack: StackClient) -> tuple[dict[str, Any], str, str]:
    """A paid order with a customised engraving (held for a person) and a returnable shirt."""
    engraving = product(stack, 20, price=5900, flags=["customized"], category="gifts")
    shirt = product(stack, 20, price=12900, category="apparel")
    order = ok(place(stack, order_body((engraving, 1, 5900), (shirt, 1, 12900)), BUYER), 201)
    pay(stack, order)
    assert stack.idle()
    return order, engraving, shirt


def sign_in(page: Page, stack: StackClient) -> None:
    page.goto(f"{stack.url}/console")
    expect(page).to_have_url(re.compile(r"/console/#/signin$"))
    page.get_by_role("button", name="Sign in as local admin").click()
    expect(page.locator("[data-who]")).to_have_text("adm_demo")


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=name).click()


def submit_in(page: Page, field: str) -> None:
    """Enter in a single-line field submits its form."""
    page.locator(f'[name="{field}"]').press("Enter")


def test_a_day_at_the_console(page: Page, console_stack: StackClient, shots: Shots) -> None:
    stack = console_stack
    order, _, shirt = order_held_for_review(stack)
    page.route(
        "https://img.example/**",
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=PHOTO_SVG),
    )

    page.goto(f"{stack.url}/console/")
    expect(page.get_by_role("button", name="Sign in as local admin")).to_be_visible()
    shots.take("signin", docs=True)
    sign_in(page, stack)

    # The queues: the held order waits for review, with its deadline.
    review = page.locator('[data-queue="review"]')
    expect(review.get_by_role("link", name=order["id"])).to_be_visible()
    expect(review).to_contain_text("customised")
    shots.take("queues", docs=True)

    # Review it: approve, Enter in the reason field submits.
    review.get_by_role("link", name=order["id"]).click()
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "under_review")
    page.get_by_label("Approve").check()
    page.locator('[name="reason"]').fill("engraving text checked")
    submit_in(page, "reason")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "awaiting_fulfillment")
    expect(page.locator("[data-banner=success]")).to_contain_text("Review saved")

    # Ship it with a carrier and a tracking number.
    tracking = f"SF{uuid.uuid4().hex[:10].upper()}"
    page.get_by_label("Carrier").fill("sf")
    page.get_by_label("Tracking number").fill(tracking)
    submit_in(page, "tracking_number")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "shipped")
    assert stack.idle()

    # The carrier reports it delivered; the order page shows the tracking history.
    carrier_event(stack, tracking, "in_transit", now(stack))
    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()
    page.reload()
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "delivered")
    expect(page.locator("[data-shipment]")).to_contain_text(tracking)
    expect(page.locator("[data-shipment]")).to_contain_text("Delivered")
    shots.take("order", docs=True)

    # The buyer asks to return the shirt (changed their mind): the rules leave it to a person.
    asked = ok(
        stack.request(
            "POST",
            f"/v1/orders/{order['id']}/returns",
            token=stack.customer_token(BUYER),
            json={
                "items": [{"sku": shirt, "quantity": 1}],
                "reason": "changed_mind",
                "description": "Too large; never worn.",
                "evidence": [PHOTO],
            },
        ),
        201,
    )
    assert asked["status"] == "under_review"
    nav(page, "Queues")
    review.get_by_role("link", name=asked["id"]).click()
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "under_review")
    expect(page.locator('[data-card="verdict"]')).to_contain_text("The rules leave this to a person")
    photo = page.locator('[data-card="evidence"] img')
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    shots.take("return-review", docs=True)
    page.get_by_label("Approve").check()
    page.locator('[name="reason"]').fill("unworn, within the policy")
    submit_in(page, "reason")
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "awaiting_parcel")
    expect(page.locator('[data-card="verdict"] [data-decision="approve"]')).to_contain_text("unworn")

    # The buyer sends the parcel; the carrier delivers it to the returns centre.
    parcel = f"RT{uuid.uuid4().hex[:10].upper()}"
    ok(
        stack.request(
            "POST",
            f"/v1/returns/{asked['id']}/shipment",
            token=stack.customer_token(BUYER),
            json={"carrier": "sf", "tracking_number": parcel},
        )
    )
    carrier_event(stack, parcel, "delivered", now(stack))
    assert stack.idle()
    nav(page, "Queues")
    inspect = page.locator('[data-queue="inspect"]')
    expect(inspect).to_contain_text(parcel)
    inspect.get_by_role("link", name=asked["id"]).click()
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "received")

    # Inspect it (the quantity is prefilled with what was asked for), then the refund shows.
    page.get_by_label(re.compile(r": condition$")).select_option("resellable")
    page.get_by_role("button", name="Record inspection").click()
    expect(page.locator("[data-return-status]")).to_have_attribute(
        "data-return-status", re.compile(r"^(refund_pending|refunded)$")
    )
    assert stack.idle()
    page.reload()
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "refunded")
    refund = page.locator('[data-card="refund"]')
    expect(refund.locator("[data-refund-amount]")).to_have_attribute("data-refund-amount", "12900")
    expect(refund).to_contain_text("129.00")
    page.locator('[name="body"]').fill("Refund sent to your Alipay account.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator('[data-card="messages"] .msg.staff')).to_contain_text("Refund sent")
    page.evaluate("window.scrollTo(0, 0)")
    shots.take("return", docs=True)

    # The stock came back; the inventory page shows it.
    page.goto(f"{stack.url}/console/#/inventory/{shirt}")
    expect(page.locator('[data-stat="on_hand"]')).to_contain_text("20")
    page.get_by_label("Change (+/−)").fill("5")
    submit_in(page, "delta")
    expect(page.locator('[data-stat="on_hand"]')).to_contain_text("25")
    page.get_by_label("Allocation", exact=True).fill("10")
    submit_in(page, "allocation")
    expect(page.locator("[data-inventory] table")).to_contain_text("Web")
    assert (
        ok(stack.request("GET", f"/v1/admin/inventory/{shirt}", token=stack.admin_token()))["channels"][
            "web"
        ]["allocation"]
        == 10
    )
    shots.take("inventory", docs=True)

    nav(page, "Orders")
    page.get_by_label("Status").select_option("delivered")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"#/orders\?status=delivered$"))
    expect(page.locator("[data-results]").get_by_role("link", name=order["id"])).to_be_visible()
    shots.take("orders", docs=True)

    # The reports: the carrier report counts the delivered parcel.
    nav(page, "Reports")
    carriers = page.locator('[data-report="carriers"]')
    expect(carriers).to_contain_text("SF Express")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator('[data-report="orders"] [data-stat="orders"]')).to_contain_text("1")
    shots.take("reports", docs=True)
    # Another range: the day's order is not in January.
    page.get_by_label("From").fill("2026-01-01")
    page.get_by_label("To").fill("2026-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"#/reports\?from=2026-01-01&to=2026-01-31$"))
    expect(page.locator('[data-report="orders"] [data-stat="orders"]')).to_contain_text("0")


def test_a_field_error_is_shown_next_to_its_field(
    page: Page, console_stack: StackClient, shots: Shots
) -> None:
    stack = console_stack
    order, _, _ = order_held_for_review(stack)
    ok(
        stack.request(
            "POST",
            f"/v1/admin/orders/{order['id']}/review",
            token=stack.admin_token(),
            json={"decision": "approve", "reason": "ok"},
        )
    )
    sign_in(page, stack)
    page.goto(f"{stack.url}/console/#/orders/{order['id']}")

    # An incomplete address holds the order until the exception is settled.
    page.get_by_label("Exception", exact=True).select_option("address_incomplete")
    page.locator('[data-form^="exception-"] [name="note"]').fill("no flat number")
    page.get_by_role("button", name="Record an exception").click()
    status = page.locator("[data-order-status]")
    expect(status).to_have_attribute("data-order-status", "on_hold")
    exception = page.locator("[data-exception]")
    expect(exception).to_contain_text("Address incomplete")
    exception.get_by_label("Resolution").select_option("contact_customer")
    exception.get_by_role("button", name="Resolve").click()
    expect(status).to_have_attribute("data-order-status", "awaiting_fulfillment")
    expect(page.locator("[data-exception]")).to_contain_text("resolved")
    expect(page.locator("[data-exception]")).to_contain_text("Contact customer")

    page.get_by_label("Carrier").fill("sf")
    page.get_by_label("Tracking number").fill("no spaces!")
    submit_in(page, "tracking_number")
    message = page.locator('[data-error-for="tracking_number"]')
    expect(message).to_contain_text("pattern")
    expect(page.get_by_label("Tracking number")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Tracking number")).to_be_focused()
    expect(page.locator('[data-error-for="carrier"]')).to_be_empty()
    shots.take("field-error", docs=True)

    # Nothing shipped, and the draft survives a reload.
    assert (
        ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token()))["status"]
        == "awaiting_fulfillment"
    )
    page.reload()
    expect(page.get_by_label("Tracking number")).to_have_value("no spaces!")

    # A refusal that names no field is shown as a banner in the form.
    stack_cancel = stack.request("POST", f"/v1/admin/orders/{order['id']}/cancel", token=stack.admin_token())
    assert stack_cancel.status == 200
    page.get_by_label("Tracking number").fill("SF0000000001")
    submit_in(page, "tracking_number")
    expect(page.locator('[data-banner="form"]')).to_be_visible()


def test_a_pasted_token_and_the_language_toggle(page: Page, console_stack: StackClient, shots: Shots) -> None:
    stack = console_stack
    order_held_for_review(stack)
    page.goto(f"{stack.url}/console/#/signin")
    page.get_by_label("Bearer token").fill("not-a-token")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator('[data-error-for="token"]')).to_contain_text("token is not valid")
    # A customer's token is refused by the admin API: still not signed in.
    page.get_by_label("Bearer token").fill(stack.customer_token())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator('[data-error-for="token"]')).to_contain_text("back-office staff")
    assert page.evaluate("sessionStorage.getItem('oms.console.token')") is None
    page.get_by_label("Bearer token").fill(f"Bearer {stack.admin_token()}")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("[data-who]")).to_have_text("adm_demo")

    expect(page.get_by_role("navigation").get_by_role("link", name="Queues")).to_be_visible()
    page.locator("[data-action=lang]").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="待办")).to_be_visible()
    expect(page.locator('[data-queue="review"] h2')).to_contain_text("待审核")
    expect(page.locator('[data-queue="review"]')).to_contain_text("¥188.00")
    shots.take("queues-zh", docs=True)
    page.reload()
    expect(page.get_by_role("navigation").get_by_role("link", name="待办")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.locator("[data-action=lang]").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Queues")).to_be_visible()
