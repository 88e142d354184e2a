"""The payment providers' own notices over HTTP on the local stack, signed with their SDKs: a Stripe
``payment_intent.succeeded`` pays the order, and the same event replayed, forged or ten minutes old changes
nothing; an Alipay notice (RSA2) and a WeChat Pay v3 notice (signed, sealed) each pay an order; bad input
is a 4xx in the shape the provider expects and changes nothing; a dispute opens an exception."""

from __future__ import annotations

import json
from typing import Any

from oms import clock
from oms_local import provider_key
from oms_local.testing import Response, StackClient

from tests.e2e.shop import ok, order_body, place, product
from tests.provider_notices import (
    ALIPAY_FORM,
    alipay_form,
    alipay_params,
    payment_intent,
    stripe_event,
    stripe_headers,
    wechatpay_headers,
    wechatpay_notice,
    wechatpay_resource,
    wechatpay_transaction,
)

STRIPE = "/v1/webhooks/payments/stripe"
ALIPAY = "/v1/webhooks/payments/alipay"
WECHATPAY = "/v1/webhooks/payments/wechatpay"


def now() -> int:
    return int(clock.now().timestamp())


def pending_order(stack: StackClient) -> dict[str, Any]:
    return dict(ok(place(stack, order_body((product(stack, 5), 1, 3900))), 201))


def stored(stack: StackClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token())))


def post_stripe(
    stack: StackClient, event: dict[str, Any], timestamp: int | None = None, secret: str | None = None
) -> Response:
    body = json.dumps(event)
    stamp = now() if timestamp is None else timestamp
    headers = stripe_headers(body, stamp, secret=secret or stack.cloud.environment["STRIPE_WEBHOOK_SECRET"])
    return stack.request("POST", STRIPE, body=body, headers=headers)


def post_alipay(stack: StackClient, params: dict[str, str], private_key: str | None = None) -> Response:
    return stack.request("POST", ALIPAY, body=alipay_form(params, private_key), headers=ALIPAY_FORM)


def post_wechatpay(stack: StackClient, body: str, timestamp: int | None = None) -> Response:
    headers = wechatpay_headers(body, now() if timestamp is None else timestamp)
    return stack.request("POST", WECHATPAY, body=body, headers=headers)


def yuan(order: dict[str, Any]) -> str:
    total = order["totals"]["total"]
    return f"{total // 100}.{total % 100:02d}"


def problem(answer: Response, status: int, code: str) -> None:
    assert answer.status == status, answer.text
    assert answer.content_type == "application/problem+json"
    assert answer.json()["code"] == code


def test_a_stripe_payment_pays_once_and_replayed_forged_or_old_changes_nothing(stack: StackClient) -> None:
    order = pending_order(stack)
    event = stripe_event("payment_intent.succeeded", payment_intent(order["id"], order["totals"]["total"]))

    problem(post_stripe(stack, event, secret="whsec_not_the_endpoints"), 401, "invalid_signature")
    problem(post_stripe(stack, event, timestamp=now() - 600), 401, "invalid_signature")
    unsigned = stack.request(
        "POST", STRIPE, body=json.dumps(event), headers={"Content-Type": "application/json"}
    )
    problem(unsigned, 401, "invalid_signature")
    assert stored(stack, order)["status"] == "pending_payment"

    paid = ok(post_stripe(stack, event))
    assert (paid["event_id"], paid["outcome"]) == (event["id"], "paid")
    replayed = ok(post_stripe(stack, event))
    assert replayed["outcome"] == "duplicate"
    final = stored(stack, order)
    assert (final["status"], final["captured"]) == ("awaiting_fulfillment", order["totals"]["total"])
    assert final["payment_id"] == event["data"]["object"]["id"]
    assert [e["type"] for e in final["timeline"]] == ["placed", "pay"]


def test_an_alipay_notice_pays_the_order_and_alipay_hears_success(stack: StackClient) -> None:
    order = pending_order(stack)
    params = alipay_params(order["id"], yuan(order))
    answer = post_alipay(stack, params)
    assert (answer.status, answer.text) == (200, "success")
    again = post_alipay(stack, params)  # Alipay's retry of the same notice
    assert (again.status, again.text) == (200, "success")
    final = stored(stack, order)
    assert (final["status"], final["captured"], final["payment_id"]) == (
        "awaiting_fulfillment",
        order["totals"]["total"],
        params["trade_no"],
    )
    assert [e["type"] for e in final["timeline"]] == ["placed", "pay"]


def test_a_wechatpay_notice_pays_the_order_and_wechatpay_hears_204(stack: StackClient) -> None:
    order = pending_order(stack)
    transaction = wechatpay_transaction(order["id"], order["totals"]["total"])
    body = wechatpay_notice("TRANSACTION.SUCCESS", wechatpay_resource(transaction))
    answer = post_wechatpay(stack, body)
    assert (answer.status, answer.text) == (204, "")
    assert post_wechatpay(stack, body).status == 204  # the retry is a duplicate
    final = stored(stack, order)
    assert (final["status"], final["payment_id"]) == ("awaiting_fulfillment", transaction["transaction_id"])
    assert [e["type"] for e in final["timeline"]] == ["placed", "pay"]


def test_bad_notices_are_4xx_in_each_providers_shape_and_change_nothing(stack: StackClient) -> None:
    order = pending_order(stack)
    total = order["totals"]["total"]
    unknown = "ord_" + "z" * 20

    # Stripe: problem+json.
    problem(
        post_stripe(stack, stripe_event("payment_intent.succeeded", payment_intent(unknown, total))),
        404,
        "order_not_found",
    )
    wrong = stripe_event("payment_intent.succeeded", payment_intent(order["id"], total - 1))
    problem(post_stripe(stack, wrong), 422, "amount_mismatch")
    body = "{not json"
    malformed = stack.request(
        "POST",
        STRIPE,
        body=body,
        headers=stripe_headers(body, now(), stack.cloud.environment["STRIPE_WEBHOOK_SECRET"]),
    )
    problem(malformed, 400, "malformed_notice")

    # Alipay: anything but "success" makes Alipay retry; ours is a problem with a code.
    problem(post_alipay(stack, alipay_params(unknown, yuan(order))), 404, "order_not_found")
    problem(post_alipay(stack, alipay_params(order["id"], "0.01")), 422, "amount_mismatch")
    problem(post_alipay(stack, alipay_params(order["id"], "39.001")), 400, "malformed_notice")
    forged = alipay_params(order["id"], yuan(order))
    problem(
        post_alipay(stack, forged, private_key=provider_key("alipay-app-private")), 401, "invalid_signature"
    )
    problem(stack.request("POST", ALIPAY, body="a=1&a=2", headers=ALIPAY_FORM), 400, "malformed_notice")

    # WeChat Pay: {"code": "FAIL", "message": …} with the status, our code in "error".
    def fail(answer: Response, status: int, code: str) -> None:
        assert answer.status == status, answer.text
        assert answer.json() == {"code": "FAIL", "message": answer.json()["message"], "error": code}

    stranger = wechatpay_notice(
        "TRANSACTION.SUCCESS", wechatpay_resource(wechatpay_transaction(unknown, total))
    )
    fail(post_wechatpay(stack, stranger), 404, "order_not_found")
    short = wechatpay_notice("TRANSACTION.SUCCESS", wechatpay_resource(wechatpay_transaction(order["id"], 1)))
    fail(post_wechatpay(stack, short), 422, "amount_mismatch")
    honest = wechatpay_notice(
        "TRANSACTION.SUCCESS", wechatpay_resource(wechatpay_transaction(order["id"], total))
    )
    fail(post_wechatpay(stack, honest, timestamp=now() - 600), 401, "invalid_signature")
    fail(post_wechatpay(stack, "{not json"), 400, "malformed_notice")

    final = stored(stack, order)
    assert (final["status"], final["captured"], final.get("exceptions", [])) == ("pending_payment", 0, [])
    assert [e["type"] for e in final["timeline"]] == ["placed"]


def test_a_stripe_dispute_opens_an_exception_owned_by_finance(stack: StackClient) -> None:
    order = pending_order(stack)
    intent = payment_intent(order["id"], order["totals"]["total"])
    assert ok(post_stripe(stack, stripe_event("payment_intent.succeeded", intent)))["outcome"] == "paid"
    due = now() + 7 * 86400
    dispute = {
        "id": "dp_1QRsTuVwXyZ",
        "object": "dispute",
        "amount": order["totals"]["total"],
        "currency": "cny",
        "charge": "ch_1QRsTuVwXyZ",
        "payment_intent": intent["id"],
        "reason": "product_not_received",
        "status": "needs_response",
        "evidence_details": {"due_by": due, "has_evidence": False, "past_due": False, "submission_count": 0},
    }
    assert (
        ok(post_stripe(stack, stripe_event("charge.dispute.created", dispute)))["outcome"] == "dispute_opened"
    )
    [opened] = stored(stack, order)["exceptions"]
    assert (opened["kind"], opened["owner"], opened["status"]) == ("payment_dispute", "finance", "open")
    listed = ok(stack.request("GET", "/v1/admin/exceptions", token=stack.admin_token()))
    assert opened["id"] in [e["id"] for e in listed["items"]]
    other = ok(post_stripe(stack, stripe_event("customer.created", {"id": "cus_1", "object": "customer"})))
    assert other["outcome"] == "ignored"
