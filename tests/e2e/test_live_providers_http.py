"""The live payment providers' path through the stack's functions, as deployed with ``PaymentProvider=live``:
each function reads the provider's keys from SSM under its own role and calls the provider's API, here
local servers that check every request as the provider does (``tests/fake_providers.py``), reached through
the provider URLs the stack hands its functions (``oms_local.PROVIDER_ENDPOINTS``).

- With each provider: an order paid at the provider whose notice never came is found by release-unpaid's
  trade query and kept (one nobody paid is released); cancelled, it is refunded through the provider once.
- A card order paid by Stripe's notice: the refund Stripe leaves pending, then fails, is asked about
  after the hour and asked again as a new attempt, and the buyer is paid back once.
- A WeChat Pay refund the provider leaves processing is asked about after the hour and settled.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from oms_local import PROVIDER_ENDPOINTS
from oms_local.template import load
from oms_local.testing import StackClient, Worlds

from tests.e2e.shop import inventory, ok, order_body, place, product
from tests.e2e.test_provider_payments_http import post_stripe, post_wechatpay
from tests.fake_providers import FakeAlipay, FakeProvider, FakeStripe, FakeWechatPay, serving
from tests.provider_notices import (
    payment_intent,
    stripe_event,
    wechatpay_notice,
    wechatpay_resource,
    wechatpay_transaction,
)

CUSTOMER = "cus_live"


class Providers:
    def __init__(self) -> None:
        self.stripe = FakeStripe()
        self.alipay = FakeAlipay()
        self.wechat = FakeWechatPay()

    def of(self, method: str) -> FakeProvider:
        return {"card": self.stripe, "alipay": self.alipay, "wechat_pay": self.wechat}[method]

    def urls(self, served: ExitStack) -> dict[str, str]:
        fakes: tuple[FakeProvider, ...] = (self.stripe, self.alipay, self.wechat)
        return {
            name: served.enter_context(serving(fake))
            for name, fake in zip(PROVIDER_ENDPOINTS, fakes, strict=True)
        }


@pytest.fixture(scope="module")
def live(local_worlds: Worlds, engine: str) -> Iterator[tuple[StackClient, Providers]]:
    """A stack of template.yaml deployed with PaymentProvider=live, its providers served on this machine."""
    providers = Providers()
    with ExitStack() as served:
        urls = providers.urls(served)
        before = {name: os.environ.get(name) for name in urls}
        os.environ.update(urls)
        try:
            world = local_worlds.get(engine, template=load(parameter_overrides={"PaymentProvider": "live"}))
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        try:
            yield world, providers
        finally:
            local_worlds.get(engine)  # back to the real template for the tests that follow


@pytest.fixture
def stack_and_providers(live: tuple[StackClient, Providers]) -> tuple[StackClient, Providers]:
    world, providers = live
    world.reset()
    return world, providers


def placed(stack: StackClient, method: str, sku: str) -> dict[str, Any]:
    body = order_body((sku, 1, 3900), payment_method=method)
    return dict(ok(place(stack, body, CUSTOMER), 201))


def stored(stack: StackClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token())))


def cancel(stack: StackClient, order: dict[str, Any]) -> None:
    path = f"/v1/orders/{order['id']}/cancel"
    assert ok(stack.request("POST", path, token=stack.customer_token(CUSTOMER)))["status"] == "cancelled"


@pytest.mark.parametrize("method", ["card", "alipay", "wechat_pay"])
def test_an_order_paid_without_its_notice_is_kept_then_refunded_through_the_provider_once(
    stack_and_providers: tuple[StackClient, Providers], method: str
) -> None:
    stack, providers = stack_and_providers
    fake = providers.of(method)
    sku = product(stack, 5)
    paid_quietly = placed(stack, method, sku)
    total = paid_quietly["totals"]["total"]
    payment_id = fake.pay(paid_quietly["id"], total)
    never_paid = placed(stack, method, sku)

    stack.advance(31 * 60)
    assert ok(stack.run_schedule("release-unpaid"))
    assert stack.idle()
    kept = stored(stack, paid_quietly)
    assert (kept["status"], kept["payment_id"], kept["captured"]) == (
        "awaiting_fulfillment",
        payment_id,
        total,
    )
    assert stored(stack, never_paid)["status"] == "cancelled"
    assert inventory(stack, sku)["reserved"] == 1  # the kept order's unit only

    cancel(stack, paid_quietly)
    assert stack.idle()
    final = stored(stack, paid_quietly)
    assert (final["captured"], final["refunded"]) == (total, total)
    assert [r["status"] for r in final["refunds"]] == ["succeeded"]
    assert fake.ledger.refunded(payment_id) == total
    assert len([r for r in fake.ledger.refunds.values() if r["payment_id"] == payment_id]) == 1
    assert inventory(stack, sku)["reserved"] == 0


def test_a_stripe_refund_left_pending_then_failed_is_asked_again_and_paid_once(
    stack_and_providers: tuple[StackClient, Providers],
) -> None:
    stack, providers = stack_and_providers
    stripe = providers.stripe
    stripe.outcome = "pending"
    try:
        order = placed(stack, "card", product(stack, 5))
        total = order["totals"]["total"]
        intent = stripe.pay(order["id"], total)
        paid = stripe_event("payment_intent.succeeded", payment_intent(order["id"], total, id=intent))
        assert ok(post_stripe(stack, paid))["outcome"] == "paid"

        cancel(stack, order)
        assert stack.idle()
        (first,) = stored(stack, order)["refunds"]
        assert first["status"] == "pending"
        stripe.ledger.refunds[first["id"]]["status"] = "failed"  # and its notice to us is lost
        stripe.outcome = "succeeded"

        stack.advance(61 * 60)
        ok(stack.run_schedule("check-pending-refunds"))
        assert stack.idle()
        final = stored(stack, order)
        assert sorted(r["status"] for r in final["refunds"]) == ["failed", "succeeded"]
        assert final["refunded"] == total
        assert stripe.ledger.refunded(intent) == total
        asked = [r for r in stripe.ledger.requests if r["method"] == "POST" and order["id"] in r["body"]]
        assert all(r["headers"]["authorization"].startswith("Bearer sk_test_") for r in asked)
        assert len(asked) == 2  # the first attempt, then the new one
    finally:
        stripe.outcome = "succeeded"


def test_a_wechatpay_refund_left_processing_is_settled_after_the_hour(
    stack_and_providers: tuple[StackClient, Providers],
) -> None:
    stack, providers = stack_and_providers
    wechat = providers.wechat
    wechat.outcome = "PROCESSING"
    try:
        order = placed(stack, "wechat_pay", product(stack, 5))
        total = order["totals"]["total"]
        transaction_id = wechat.pay(order["id"], total)
        transaction = wechatpay_transaction(order["id"], total, transaction_id=transaction_id)
        notice = wechatpay_notice("TRANSACTION.SUCCESS", wechatpay_resource(transaction))
        assert post_wechatpay(stack, notice).status == 204

        cancel(stack, order)
        assert stack.idle()
        (refund,) = stored(stack, order)["refunds"]
        assert refund["status"] == "pending"
        wechat.ledger.refunds[refund["id"]]["answer"]["status"] = "SUCCESS"  # its notice to us is lost

        stack.advance(61 * 60)
        ok(stack.run_schedule("check-pending-refunds"))
        assert stack.idle()
        final = stored(stack, order)
        assert [r["status"] for r in final["refunds"]] == ["succeeded"]
        assert final["refunded"] == total
        assert wechat.ledger.refunded(transaction_id) == total
        posts = [r for r in wechat.ledger.requests if r["method"] == "POST" and refund["id"] in r["body"]]
        assert len(posts) == 1  # asked about, not asked for again
    finally:
        wechat.outcome = "SUCCESS"


def test_an_alipay_refund_that_never_reached_alipay_is_asked_for_after_the_hour(
    stack_and_providers: tuple[StackClient, Providers],
) -> None:
    stack, providers = stack_and_providers
    alipay = providers.alipay
    order = placed(stack, "alipay", product(stack, 5))
    total = order["totals"]["total"]
    trade = alipay.pay(order["id"], total)
    stack.advance(31 * 60)
    ok(stack.run_schedule("release-unpaid"))  # the payment is found by the trade query
    assert stored(stack, order)["status"] == "awaiting_fulfillment"

    alipay.ledger.unreachable = 1_000  # every ask is lost on the way: the queue gives up on the refund
    try:
        cancel(stack, order)
        assert stack.idle()
    finally:
        alipay.ledger.unreachable = 0
    (refund,) = stored(stack, order)["refunds"]
    assert refund["status"] == "pending" and alipay.ledger.refunded(trade) == 0

    stack.advance(61 * 60)
    ok(stack.run_schedule("check-pending-refunds"))
    assert stack.idle()
    final = stored(stack, order)
    assert [r["status"] for r in final["refunds"]] == ["succeeded"]
    assert final["refunded"] == total and alipay.ledger.refunded(trade) == total
