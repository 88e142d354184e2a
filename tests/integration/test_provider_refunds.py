"""Live refunds through each provider's API (local servers that check requests as the provider does) and
the trade query before release-unpaid: a refund is paid once even when the first answer is lost, a
refusal is asked again or escalated, and an order paid without its notice is kept, not cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import pytest
from oms import clock, config, ids
from oms.config import settings
from oms.jobs import pending_refunds, release_unpaid
from oms.lifecycle import payments
from oms.lifecycle.refund_step import process
from oms.payments_port import LiveProviders
from oms.placing import reserve, validate
from oms.providers.http_calls import ProviderUnavailable
from oms.store import credits, orders, refunds
from oms.store.table import Item, Table

from tests.fake_providers import FakeAlipay, FakeProvider, FakeStripe, FakeWechatPay, serving
from tests.integration.helpers import order_request, step_input, stocked_product

FAKES: dict[str, tuple[type[FakeProvider], str]] = {
    "alipay": (FakeAlipay, "ALIPAY_GATEWAY_URL"),
    "wechat_pay": (FakeWechatPay, "WECHATPAY_API_URL"),
    "card": (FakeStripe, "STRIPE_API_URL"),
}


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("PAYMENT_PROVIDER", "live")
    config.reload()
    yield monkeypatch
    monkeypatch.undo()
    config.reload()


def _placed(table: Table, method: str) -> dict[str, Any]:
    checked = validate(
        step_input(order_request((stocked_product(table, 5), 1, 3900), payment_method=method)), table
    )
    assert checked["ok"], checked
    return dict(reserve(checked, table)["order"])


def _paid(table: Table, fake: FakeProvider, method: str) -> dict[str, Any]:
    order = _placed(table, method)
    payment_id = fake.pay(order["id"], order["totals"]["total"])
    event = payments.PaymentEvent(
        event_id=ids.new_id("evt"),
        type="payment.succeeded",
        order_id=order["id"],
        payment_id=payment_id,
        amount=order["totals"]["total"],
        currency="CNY",
        occurred_at=clock.now(),
    )
    assert payments.handle(table, event) == "paid"
    stored = orders.get(table, order["id"])
    assert stored is not None
    return stored


@contextmanager
def _asked(
    live: pytest.MonkeyPatch, method: str, **fake_settings: Any
) -> Iterator[tuple[FakeProvider, Table, Item, str]]:
    """The provider of ``method`` served locally, an order paid through it, and a refund of 1200 requested."""
    make, variable = FAKES[method]
    fake = make()
    for name, value in fake_settings.items():
        setattr(fake, name, value)
    with serving(fake) as url:
        live.setenv(variable, url)
        config.reload()
        table = Table()
        order = _paid(table, fake, method)
        refund_id = ids.new_id("ref")
        assert refunds.start(table, order, refund_id, 1200, "goodwill", "adm") is not None
        yield fake, table, order, refund_id


@pytest.mark.parametrize("method", ["alipay", "wechat_pay", "card"])
def test_a_refund_whose_answer_is_lost_is_asked_again_and_paid_once(
    cloud: object, live: pytest.MonkeyPatch, method: str
) -> None:
    with _asked(live, method) as (fake, table, order, refund_id):
        fake.ledger.lose_next = True  # the provider refunds, and its answer never arrives
        with pytest.raises(ProviderUnavailable):
            process(table, order["id"], refund_id)
        pending = refunds.get(table, order["id"], refund_id)
        assert pending is not None and pending["status"] == "pending"  # the queue delivers it again

        assert process(table, order["id"], refund_id) == "succeeded"
        settled = refunds.get(table, order["id"], refund_id)
        assert settled is not None and settled["status"] == "succeeded"
        assert fake.ledger.refunded(order["payment_id"]) == 1200  # once, though asked twice
        assert [r["amount"] for r in fake.ledger.refunds.values()] == [1200]
        assert len([r for r in fake.ledger.requests if r["method"] == "POST"]) == 2


@pytest.mark.parametrize("method", ["alipay", "wechat_pay", "card"])
def test_a_refund_the_provider_refuses_is_asked_again_as_a_new_attempt(
    cloud: object, live: pytest.MonkeyPatch, method: str
) -> None:
    with _asked(live, method) as (fake, table, order, refund_id):
        # Refunded elsewhere (the merchant's own console) down to 1000: 1200 more is refused.
        fake.ledger.refunds["earlier"] = {
            "payment_id": order["payment_id"],
            "amount": order["captured"] - 1000,
        }
        assert process(table, order["id"], refund_id) == "failed"
        failed = refunds.get(table, order["id"], refund_id)
        assert failed is not None and failed["status"] == "failed"
        assert fake.ledger.refused == [refund_id]
        again = refunds.get(table, order["id"], ids.derived_id("ref", refund_id, "retry"))
        assert again is not None and (again["status"], again["attempt"]) == ("pending", 2)


def test_a_balance_refund_credits_the_ledger_once(cloud: object, live: pytest.MonkeyPatch) -> None:
    table = Table()
    order = _placed(table, "balance")
    stored = orders.get(table, order["id"])
    assert stored is not None
    refund = refunds.refund_item(stored, ids.new_id("ref"), 1500, "goodwill")
    provider = LiveProviders(table)
    assert provider.refund(refund, stored).status == "succeeded"
    assert provider.refund(refund, stored).status == "succeeded"  # asked again: nothing more
    assert credits.balance(table, stored["customer_id"], "CNY") == 1500


def test_an_alipay_answer_not_signed_by_alipay_is_no_answer(cloud: object, live: pytest.MonkeyPatch) -> None:
    from oms_local import provider_key

    fake = FakeAlipay(signing_key=provider_key("alipay-app-private"))  # signs with a key that is not Alipay's
    with serving(fake) as url:
        live.setenv("ALIPAY_GATEWAY_URL", url)
        config.reload()
        table = Table()
        order = _placed(table, "alipay")
        stored = orders.get(table, order["id"])
        assert stored is not None
        refund = refunds.refund_item(stored, ids.new_id("ref"), 100, "goodwill")
        with pytest.raises(ProviderUnavailable, match="does not verify"):
            LiveProviders(table).refund(refund, stored)


@pytest.mark.parametrize("method", ["alipay", "wechat_pay", "card"])
def test_an_order_paid_whose_notice_never_came_is_found_by_the_query_and_kept(
    cloud: object, live: pytest.MonkeyPatch, method: str
) -> None:
    make, variable = FAKES[method]
    fake = make()
    with serving(fake) as url:
        live.setenv(variable, url)
        config.reload()
        table = Table()
        paid_quietly = _placed(table, method)
        payment_id = fake.pay(paid_quietly["id"], paid_quietly["totals"]["total"])
        never_paid = _placed(table, method)
        clock.advance(31 * 60)
        try:
            outcome = release_unpaid.run(table)
            again = release_unpaid.run(table)
        finally:
            clock.reset()
        assert (outcome["found_paid"], outcome["released"]) == (1, 1)
        assert (again["found_paid"], again["released"]) == (0, 0)  # applied once; nothing left due
        kept = orders.get(table, paid_quietly["id"])
        assert kept is not None and (kept["status"], kept["payment_id"]) == (
            "awaiting_fulfillment",
            payment_id,
        )
        released = orders.get(table, never_paid["id"])
        assert released is not None and released["status"] == "cancelled"


def test_a_provider_that_does_not_answer_keeps_the_order_for_the_next_run(
    cloud: object, live: pytest.MonkeyPatch
) -> None:
    live.setenv("STRIPE_API_URL", "http://127.0.0.1:9")  # nothing listens there
    config.reload()
    table = Table()
    order = _placed(table, "card")
    clock.advance(31 * 60)
    try:
        outcome = release_unpaid.run(table)
    finally:
        clock.reset()
    assert (outcome["unanswered"], outcome["released"]) == (1, 0)
    kept = orders.get(table, order["id"])
    assert kept is not None and kept["status"] == "pending_payment"


def _settle_at_provider(fake: FakeProvider, refund_id: str) -> None:
    """The provider finishes a refund it had left pending (its notice to us is lost)."""
    done = fake.ledger.refunds[refund_id]
    if "answer" in done:
        done["answer"]["status"] = "SUCCESS"
    else:
        done["status"] = "succeeded"


@pytest.mark.parametrize("method", ["wechat_pay", "card"])
def test_a_refund_left_pending_is_asked_about_after_the_hour_and_settled(
    cloud: object, live: pytest.MonkeyPatch, method: str
) -> None:
    outcome = "PROCESSING" if method == "wechat_pay" else "pending"
    with _asked(live, method, outcome=outcome) as (fake, table, order, refund_id):
        assert process(table, order["id"], refund_id) == "pending"
        assert pending_refunds.run(table)["pending"] == 0  # not due before the hour

        _settle_at_provider(fake, refund_id)
        clock.advance(61 * 60)
        try:
            checked = pending_refunds.run(table)
            again = pending_refunds.run(table)
        finally:
            clock.reset()
        assert checked["succeeded"] == 1 and sum(again.values()) == 0
        settled = refunds.get(table, order["id"], refund_id)
        assert settled is not None and settled["status"] == "succeeded" and "timer_kind" not in settled
        assert fake.ledger.refunded(order["payment_id"]) == 1200
        assert len([r for r in fake.ledger.requests if r["method"] == "POST"]) == 1  # asked about, not again


def test_a_refund_whose_answer_was_lost_and_never_redelivered_is_found_paid_after_the_hour(
    cloud: object, live: pytest.MonkeyPatch
) -> None:
    with _asked(live, "alipay") as (fake, table, order, refund_id):
        fake.ledger.lose_next = True
        with pytest.raises(ProviderUnavailable):
            process(table, order["id"], refund_id)  # and the queue gives up on it
        clock.advance(61 * 60)
        try:
            assert pending_refunds.run(table)["succeeded"] == 1
        finally:
            clock.reset()
        settled = refunds.get(table, order["id"], refund_id)
        assert settled is not None and settled["status"] == "succeeded"
        assert fake.ledger.refunded(order["payment_id"]) == 1200
        apis = [dict(parse_qsl(r["body"])).get("method") for r in fake.ledger.requests]
        assert apis == ["alipay.trade.refund", "alipay.trade.fastpay.refund.query"]


def test_a_refund_the_provider_never_received_is_asked_for_after_the_hour(
    cloud: object, live: pytest.MonkeyPatch
) -> None:
    with _asked(live, "wechat_pay") as (fake, table, order, refund_id):
        url = settings().wechatpay_api_url
        live.setenv("WECHATPAY_API_URL", "http://127.0.0.1:9")  # the first ask never gets there
        config.reload()
        with pytest.raises(ProviderUnavailable):
            process(table, order["id"], refund_id)
        live.setenv("WECHATPAY_API_URL", url)
        config.reload()
        clock.advance(61 * 60)
        try:
            assert pending_refunds.run(table)["succeeded"] == 1
        finally:
            clock.reset()
        assert fake.ledger.refunded(order["payment_id"]) == 1200
