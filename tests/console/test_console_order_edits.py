"""An order edit in the console: staff preview an edit on the order's page, apply it, and see it listed;
an edit waiting for its balance is shown, and the order cannot be edited again meanwhile."""

from __future__ import annotations

from oms_local.testing import StackClient
from playwright.sync_api import Page, expect

from tests.console.conftest import Shots
from tests.console.test_console_day import nav, sign_in
from tests.e2e.shop import ok, order_body, pay, place, product
from tests.e2e.test_order_edits_http import buyer, edit


def test_staff_preview_and_apply_an_edit_and_see_one_waiting_for_its_balance(
    page: Page, console_stack: StackClient, shots: Shots
) -> None:
    stack = console_stack
    customer = buyer()
    tea, cup = product(stack, 10, price=3900), product(stack, 10, price=1500)
    order = ok(place(stack, order_body((tea, 3, 3900), (cup, 1, 1500)), customer), 201)
    pay(stack, order)
    assert stack.idle()

    sign_in(page, stack)
    page.goto(f"{stack.url}/console/#/orders/{order['id']}")
    lines = page.locator(f"#edit-{order['id']}-lines")
    expect(lines).to_have_value(f"{tea} 3\n{cup} 1")
    lines.fill(f"{tea} 1")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator('[data-edit-preview="apply"]')
    expect(preview).to_contain_text("Refunded now")
    shots.take("order-edit-preview", docs=True)
    apply = preview.locator("button")
    expect(apply).to_have_text("Apply edit")
    apply.click()
    expect(apply).to_have_text("Click again to apply")
    apply.click()
    expect(page.locator(".banner.success")).to_contain_text("Order edited.")
    expect(page.locator('[data-card="edits"]')).to_contain_text("Applied")
    expect(
        page.locator('[data-card="money"]')
        if page.locator('[data-card="money"]').count()
        else page.locator("main")
    ).to_contain_text("order edit")

    pot = product(stack, 3, price=9900)
    ok(edit(stack, customer, order, (tea, 1), (pot, 1)))
    page.reload()
    expect(page.locator("[data-pending-edit]")).to_contain_text("waits for its balance")
    expect(page.locator('[data-card="edits"]')).to_contain_text("Awaiting balance")
    expect(page.locator(f"#edit-{order['id']}")).to_have_count(0)  # one edit at a time

    nav(page, "Reports")
    expect(page.locator('[data-report="orders"]')).to_contain_text("Edits made / lapsed1 / 0")
