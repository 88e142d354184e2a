"""Providers' notices applied through the payment use cases: each provider's capture pays, its refund notice
settles our pending refund, a Stripe dispute opens an exception for finance; an unknown order or an amount
that is not the order's is refused and changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from oms import ids
from oms.lifecycle import payment_notices, payments
from oms.problems import NotFound, Problem
from oms.providers import alipay_notices, stripe_notices, wechatpay_notices
from oms.providers.notices import Meaning
from oms.store import orders, refunds
from oms.store.table import Table

from tests.integration.helpers import stocked_product
from tests.integration.test_lifecycle import placed
from tests.provider_notices import (
    alipay_params,
    payment_intent,
    stripe_event,
    wechatpay_notice,
    wechatpay_resource,
    wechatpay_transaction,
)


def _stripe(kind: str, found: dict[str, Any]) -> Meaning:
    return stripe_notices.meaning(stripe_notices.parse(json.dumps(stripe_event(kind, found))))


def _wechatpay(kind: str, resource: dict[str, Any]) -> Meaning:
    notice = wechatpay_notices.parse(wechatpay_notice(kind, wechatpay_resource(resource)))
    return wechatpay_notices.meaning(notice, resource)


def _captures(order: dict[str, Any]) -> dict[str, tuple[Meaning, str]]:
    """Each provider's capture of ``order`` and the payment id it names."""
    intent = payment_intent(order["id"], order["totals"]["total"])
    alipay = alipay_params(order["id"], f"{order['totals']['total'] / 100:.2f}")
    wechat = wechatpay_transaction(order["id"], order["totals"]["total"])
    return {
        "stripe": (_stripe("payment_intent.succeeded", intent), intent["id"]),
        "alipay": (alipay_notices.meaning(alipay), alipay["trade_no"]),
        "wechatpay": (_wechatpay("TRANSACTION.SUCCESS", wechat), wechat["transaction_id"]),
    }


def _refund_settled(
    provider: str, order: dict[str, Any], payment_id: str, refund_id: str, amount: int
) -> Meaning:
    if provider == "stripe":
        found = {
            "id": "re_1",
            "object": "refund",
            "amount": amount,
            "currency": "cny",
            "status": "succeeded",
            "payment_intent": payment_id,
            "metadata": {"order_id": order["id"], "refund_id": refund_id},
        }
        return _stripe("refund.updated", found)
    if provider == "alipay":
        params = alipay_params(
            order["id"], "39.00", trade_no=payment_id, out_biz_no=refund_id, refund_fee=f"{amount / 100:.2f}"
        )
        return alipay_notices.meaning(params)
    resource = {
        "mchid": "1230000109",
        "out_trade_no": order["id"],
        "transaction_id": payment_id,
        "out_refund_no": refund_id,
        "refund_id": "50000000382019052709732678859",
        "refund_status": "SUCCESS",
        "amount": {"total": order["totals"]["total"], "refund": amount},
    }
    notice = wechatpay_notices.parse(
        wechatpay_notice("REFUND.SUCCESS", wechatpay_resource(resource, kind="refund"))
    )
    return wechatpay_notices.meaning(notice, resource)


@pytest.mark.parametrize("provider", ["stripe", "alipay", "wechatpay"])
def test_a_providers_capture_pays_once_and_its_refund_notice_settles_our_refund(
    cloud: object, provider: str
) -> None:
    table = Table()
    order = placed(table, (stocked_product(table, 5), 1, 3900))
    capture, payment_id = _captures(order)[provider]
    assert payment_notices.apply(table, capture) == "paid"
    assert payment_notices.apply(table, capture) == "duplicate"
    paid = orders.get(table, order["id"])
    assert paid is not None and (paid["status"], paid["captured"], paid["payment_id"]) == (
        "awaiting_fulfillment",
        order["totals"]["total"],
        payment_id,
    )

    refund_id = ids.new_id("ref")
    assert refunds.start(table, paid, refund_id, 1200, "goodwill", "adm") is not None
    settled = _refund_settled(provider, order, payment_id, refund_id, 1200)
    assert payment_notices.apply(table, settled) == "refund_settled"
    assert payment_notices.apply(table, settled) == "duplicate"
    stored = refunds.get(table, order["id"], refund_id)
    assert stored is not None and stored["status"] == "succeeded"


@pytest.mark.parametrize("provider", ["stripe", "alipay", "wechatpay"])
def test_an_amount_that_is_not_the_orders_is_refused_and_changes_nothing(
    cloud: object, provider: str
) -> None:
    table = Table()
    order = placed(table, (stocked_product(table, 5), 1, 3900))
    before = orders.get(table, order["id"])
    cheaper = {**order, "totals": {**order["totals"], "total": 1}}
    capture, _ = _captures(cheaper)[provider]
    with pytest.raises(Problem) as refused:
        payment_notices.apply(table, capture)
    assert (refused.value.status, refused.value.code) == (422, "amount_mismatch")
    assert orders.get(table, order["id"]) == before


@pytest.mark.parametrize("provider", ["stripe", "alipay", "wechatpay"])
def test_a_notice_about_an_order_we_do_not_have_is_404_and_changes_nothing(
    cloud: object, provider: str
) -> None:
    table = Table()
    nobody = {"id": ids.new_id("ord"), "totals": {"total": 3900, "currency": "CNY"}}
    capture, _ = _captures(nobody)[provider]
    with pytest.raises(NotFound) as refused:
        payment_notices.apply(table, capture)
    assert refused.value.code == "order_not_found"
    # An id not even shaped like ours is the same answer, never a validation error of our model.
    odd = {**nobody, "id": "2026112500001"}
    with pytest.raises(NotFound):
        payment_notices.apply(table, _captures(odd)[provider][0])


def test_a_stripe_dispute_opens_an_exception_for_finance_due_with_the_evidence(cloud: object) -> None:
    table = Table()
    order = placed(table, (stocked_product(table, 5), 1, 3900))
    capture, payment_id = _captures(order)["stripe"]
    assert payment_notices.apply(table, capture) == "paid"
    due = 1_796_000_000
    dispute = _stripe(
        "charge.dispute.created",
        {
            "id": "dp_1",
            "object": "dispute",
            "amount": 3900,
            "currency": "cny",
            "charge": "ch_1",
            "payment_intent": payment_id,
            "reason": "fraudulent",
            "status": "needs_response",
            "evidence_details": {"due_by": due},
        },
    )
    assert payment_notices.apply(table, dispute) == "dispute_opened"
    assert payment_notices.apply(table, dispute) == "duplicate"
    stored = orders.get(table, order["id"])
    assert stored is not None
    [opened] = stored["exceptions"]
    assert (opened["kind"], opened["owner"], opened["status"]) == ("payment_dispute", "finance", "open")
    assert opened["deadline"].startswith(datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    assert stored["timeline"][-1]["type"] == "payment_disputed"

    unknown = _stripe(
        "charge.dispute.created",
        {"id": "dp_2", "amount": 1, "currency": "cny", "payment_intent": "pi_nobody", "reason": "general"},
    )
    with pytest.raises(NotFound):
        payment_notices.apply(table, unknown)


def test_a_type_of_no_use_is_recorded_once_and_ignored(cloud: object) -> None:
    table = Table()
    other = _stripe("customer.created", {"id": "cus_1"})
    assert payment_notices.apply(table, other) == "ignored"
    assert payment_notices.apply(table, other) == "duplicate"


def test_a_payment_event_keeps_its_contract() -> None:
    assert set(payments.PaymentEvent.model_fields) >= {"event_id", "type", "order_id", "payment_id", "amount"}
