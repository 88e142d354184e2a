"""The providers' formats read and verified exactly as they specify: each notice is made by the provider's
own SDK (stripe, python-alipay-sdk, wechatpayv3) and our verdict is checked against the SDK's own."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
import stripe
from alipay import AliPay
from oms.problems import Unauthorized
from oms.providers import alipay_notices, stripe_notices, wechatpay_notices
from oms.providers.notices import DisputeNotice, MalformedNotice, OtherNotice, PaymentNotice
from oms_local import provider_key
from wechatpayv3.utils import aes_decrypt, load_public_key, rsa_verify

from tests.provider_notices import (
    ALIPAY_APP_ID,
    APIV3_KEY,
    STRIPE_SECRET,
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

ORDER = "ord_" + "a" * 20


def now() -> int:
    return int(time.time())


# -- Stripe


def _stripe_accepts(body: str, header: str, secret: str) -> bool:
    try:
        stripe_notices.verify(secret, header, body)
    except Unauthorized as refused:
        assert refused.code == "invalid_signature"
        return False
    return True


def _sdk_accepts(body: str, header: str, secret: str) -> bool:
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=300)
    except stripe.SignatureVerificationError:
        return False
    return True


def _body() -> str:
    return json.dumps(stripe_event("payment_intent.succeeded", payment_intent(ORDER, 3900)))


@pytest.mark.parametrize(
    "case",
    [
        "signed",
        "tampered",
        "other secret",
        "ten minutes old",
        "from the future",
        "no v1",
        "garbage",
        "two v1",
    ],
)
def test_stripe_signatures_are_judged_as_stripes_own_library_judges_them(case: str) -> None:
    body, secret, moment = _body(), STRIPE_SECRET, now()
    header = stripe_headers(body, moment)["Stripe-Signature"]
    if case == "tampered":
        body = body.replace("3900", "1")
    elif case == "other secret":
        header = stripe_headers(body, moment, secret="whsec_another")["Stripe-Signature"]
    elif case == "ten minutes old":
        header = stripe_headers(body, moment - 600)["Stripe-Signature"]
    elif case == "from the future":
        header = stripe_headers(body, moment + 600)["Stripe-Signature"]
    elif case == "no v1":
        header = f"t={moment}"
    elif case == "garbage":
        header = "v1=zz,t=now"
    elif case == "two v1":  # while Stripe rolls a secret, one of several v1 signatures verifies
        old = stripe_headers(body, moment, secret="whsec_old")["Stripe-Signature"].split("v1=")[1]
        header = f"{header},v1={old}"
    # Stripe refuses only old timestamps (replays), not ones ahead of our clock.
    expected = case in ("signed", "two v1", "from the future")
    assert _sdk_accepts(body, header, secret) is expected
    assert _stripe_accepts(body, header, secret) is expected


def test_a_verified_stripe_event_is_one_stripes_library_constructs() -> None:
    body = _body()
    header = stripe_headers(body, now())["Stripe-Signature"]
    built = stripe.Webhook.construct_event(body, header, STRIPE_SECRET)
    ours = stripe_notices.parse(body)
    assert (ours.id, ours.type) == (built.id, built.type)


def test_a_succeeded_payment_intent_captures_what_was_received() -> None:
    intent = payment_intent(ORDER, 3900, amount_received=3900)
    event = stripe_notices.parse(
        json.dumps(stripe_event("payment_intent.succeeded", intent, created=1_764_057_600))
    )
    assert stripe_notices.meaning(event) == PaymentNotice(
        event_id=f"stripe:{event.id}",
        kind="payment.succeeded",
        order_id=ORDER,
        payment_id=intent["id"],
        amount=3900,
        currency="CNY",
        occurred_at=datetime(2025, 11, 25, 8, 0, tzinfo=UTC),
    )


def test_stripe_failures_refunds_and_disputes_mean_what_stripe_says() -> None:
    failed = stripe_notices.meaning(
        stripe_notices.parse(
            json.dumps(stripe_event("payment_intent.payment_failed", payment_intent(ORDER, 3900)))
        )
    )
    assert isinstance(failed, PaymentNotice) and failed.kind == "payment.failed"

    def refund(status: str, kind: str = "refund.updated") -> object:
        found = {
            "id": "re_1",
            "object": "refund",
            "amount": 1200,
            "currency": "cny",
            "status": status,
            "payment_intent": "pi_1",
            "metadata": {"order_id": ORDER, "refund_id": "ref_1"},
        }
        return stripe_notices.meaning(stripe_notices.parse(json.dumps(stripe_event(kind, found))))

    settled = refund("succeeded")
    assert isinstance(settled, PaymentNotice)
    assert (settled.kind, settled.refund_id, settled.payment_id, settled.amount) == (
        "refund.succeeded",
        "ref_1",
        "pi_1",
        1200,
    )
    assert isinstance(refund("pending"), OtherNotice)  # nothing to settle yet
    for status, kind in (
        ("failed", "refund.updated"),
        ("canceled", "refund.updated"),
        ("pending", "refund.failed"),
    ):
        found = refund(status, kind)
        assert isinstance(found, PaymentNotice) and found.kind == "refund.failed"

    charge = {
        "id": "ch_1",
        "object": "charge",
        "amount": 3900,
        "currency": "cny",
        "payment_intent": "pi_1",
        "refunds": {
            "object": "list",
            "data": [
                {
                    "id": "re_2",
                    "amount": 900,
                    "currency": "cny",
                    "status": "succeeded",
                    "payment_intent": "pi_1",
                    "metadata": {"order_id": ORDER, "refund_id": "ref_2"},
                },
            ],
        },
    }
    refunded = stripe_notices.meaning(
        stripe_notices.parse(json.dumps(stripe_event("charge.refunded", charge)))
    )
    assert isinstance(refunded, PaymentNotice) and (refunded.kind, refunded.refund_id) == (
        "refund.succeeded",
        "ref_2",
    )

    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "amount": 3900,
        "currency": "cny",
        "charge": "ch_1",
        "payment_intent": "pi_1",
        "reason": "fraudulent",
        "status": "needs_response",
        "evidence_details": {"due_by": 1_765_000_000, "has_evidence": False},
    }
    opened = stripe_notices.meaning(
        stripe_notices.parse(json.dumps(stripe_event("charge.dispute.created", dispute)))
    )
    assert opened == DisputeNotice(
        event_id=opened.event_id,
        dispute_id="dp_1",
        payment_id="pi_1",
        amount=3900,
        currency="CNY",
        reason="fraudulent",
        evidence_due_by=datetime.fromtimestamp(1_765_000_000, UTC),
    )
    other = stripe_notices.meaning(
        stripe_notices.parse(json.dumps(stripe_event("customer.created", {"id": "cus_1"})))
    )
    assert isinstance(other, OtherNotice) and other.type == "customer.created"


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "created": 1}),
        json.dumps(stripe_event("payment_intent.succeeded", {**payment_intent(ORDER, 3900), "metadata": {}})),
        json.dumps(
            stripe_event("payment_intent.succeeded", {**payment_intent(ORDER, 3900), "amount": "39.00"})
        ),
        json.dumps(stripe_event("charge.dispute.created", {"id": "dp_1", "amount": 1, "currency": "cny"})),
    ],
)
def test_a_stripe_body_not_as_stripe_documents_it_is_malformed(body: str) -> None:
    with pytest.raises(MalformedNotice) as refused:
        stripe_notices.meaning(stripe_notices.parse(body))
    assert (refused.value.status, refused.value.code) == (400, "malformed_notice")


# -- Alipay

ALIPAY_PUBLIC = provider_key("alipay-platform-public")


def _sdk_verifies(form: str) -> bool:
    params = dict(parse_qsl(form))
    sign = params.pop("sign")
    verifier = AliPay(
        appid=ALIPAY_APP_ID,
        app_private_key_string=provider_key("alipay-app-private"),
        alipay_public_key_string=ALIPAY_PUBLIC,
        sign_type="RSA2",
    )
    return bool(verifier.verify(params, sign))


def test_an_alipay_notice_signed_by_alipays_sdk_verifies_and_reads_exactly() -> None:
    form = alipay_form(alipay_params(ORDER, "39.90"))
    assert _sdk_verifies(form)
    params = alipay_notices.parse_form(form)
    alipay_notices.verify(params, ALIPAY_PUBLIC, ALIPAY_APP_ID)
    found = alipay_notices.meaning(params)
    assert isinstance(found, PaymentNotice)
    assert (found.kind, found.order_id, found.amount, found.currency) == (
        "payment.succeeded",
        ORDER,
        3990,
        "CNY",
    )
    assert found.payment_id == params["trade_no"] and found.event_id == f"alipay:{params['notify_id']}"
    assert found.occurred_at == datetime(2026, 11, 25, 8, 0, 1, tzinfo=UTC)  # 16:00:01 in Beijing


@pytest.mark.parametrize("case", ["tampered amount", "merchant's own key", "another app", "RSA1", "unsigned"])
def test_an_alipay_notice_not_signed_by_alipay_for_this_app_is_refused(case: str) -> None:
    params = alipay_params(ORDER, "39.00")
    if case == "another app":
        params["app_id"] = "2021000000000999"
    key = provider_key("alipay-app-private") if case == "merchant's own key" else None
    form = alipay_form(params, private_key=key)
    if case == "tampered amount":
        form = form.replace("total_amount=39.00", "total_amount=0.01")
    if case == "RSA1":
        form = form.replace("sign_type=RSA2", "sign_type=RSA")
    if case == "unsigned":
        form = "&".join(part for part in form.split("&") if not part.startswith("sign="))
    if case in ("tampered amount", "merchant's own key"):
        assert not _sdk_verifies(form)
    with pytest.raises(Unauthorized) as refused:
        alipay_notices.verify(alipay_notices.parse_form(form), ALIPAY_PUBLIC, ALIPAY_APP_ID)
    assert refused.value.code == "invalid_signature"


@pytest.mark.parametrize(
    ("text", "fen"),
    [("39.00", 3900), ("39.9", 3990), ("0.01", 1), ("1", 100), ("0", 0), ("100000000.99", 10000000099)],
)
def test_yuan_become_fen_exactly(text: str, fen: int) -> None:
    assert alipay_notices.yuan_to_fen(text) == fen


@pytest.mark.parametrize(
    "text", ["39.999", "-1", "1e3", "01.00", " 1", "1.", "", "NaN", "１", "0.1.1", "0x10"]
)
def test_anything_but_a_plain_yuan_amount_is_malformed(text: str) -> None:
    with pytest.raises(MalformedNotice):
        alipay_notices.yuan_to_fen(text)


def test_alipay_trade_statuses_and_refund_notices() -> None:
    closed = alipay_notices.meaning(alipay_params(ORDER, "39.00", trade_status="TRADE_CLOSED"))
    assert isinstance(closed, PaymentNotice) and closed.kind == "payment.failed"
    finished = alipay_notices.meaning(alipay_params(ORDER, "39.00", trade_status="TRADE_FINISHED"))
    assert isinstance(finished, PaymentNotice) and finished.kind == "payment.succeeded"
    waiting = alipay_notices.meaning(alipay_params(ORDER, "39.00", trade_status="WAIT_BUYER_PAY"))
    assert isinstance(waiting, OtherNotice) and waiting.type == "WAIT_BUYER_PAY"
    refund = alipay_notices.meaning(
        alipay_params(
            ORDER, "39.00", out_biz_no="ref_1", refund_fee="12.50", gmt_refund="2026-11-26 10:00:00"
        )
    )
    assert isinstance(refund, PaymentNotice)
    assert (refund.kind, refund.refund_id, refund.amount) == ("refund.succeeded", "ref_1", 1250)


@pytest.mark.parametrize("form", ["a=1&a=2", "no equals sign", "out_trade_no=%FF"])
def test_a_body_that_is_no_alipay_form_is_malformed(form: str) -> None:
    with pytest.raises(MalformedNotice):
        alipay_notices.parse_form(form)


def test_a_notice_missing_what_alipay_always_sends_is_malformed() -> None:
    params = alipay_params(ORDER, "39.00")
    del params["out_trade_no"]
    with pytest.raises(MalformedNotice):
        alipay_notices.meaning(params)


# -- WeChat Pay

PLATFORM_PUBLIC = provider_key("wechatpay-platform-public")


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_a_wechatpay_notice_signed_and_sealed_as_wechatpay_does_verifies_and_decrypts() -> None:
    transaction = wechatpay_transaction(ORDER, 3900)
    body = wechatpay_notice("TRANSACTION.SUCCESS", wechatpay_resource(transaction))
    headers = _lower(wechatpay_headers(body, now()))
    # The SDK's own verifier agrees with ours.
    assert rsa_verify(
        headers["wechatpay-timestamp"],
        headers["wechatpay-nonce"],
        body,
        headers["wechatpay-signature"],
        load_public_key(PLATFORM_PUBLIC),
    )
    wechatpay_notices.verify(headers, body, PLATFORM_PUBLIC)
    notice = wechatpay_notices.parse(body)
    resource = notice.resource
    clear = wechatpay_notices.decrypt(resource, APIV3_KEY)
    assert clear == json.loads(
        aes_decrypt(resource.nonce, resource.ciphertext, resource.associated_data, APIV3_KEY)
    )
    found = wechatpay_notices.meaning(notice, clear)
    assert isinstance(found, PaymentNotice)
    assert (found.kind, found.order_id, found.payment_id, found.amount) == (
        "payment.succeeded",
        ORDER,
        transaction["transaction_id"],
        3900,
    )


@pytest.mark.parametrize("case", ["tampered", "merchant's key", "ten minutes old", "no serial", "not base64"])
def test_a_wechatpay_notice_not_signed_by_the_platform_key_is_refused(case: str) -> None:
    body = wechatpay_notice("TRANSACTION.SUCCESS", wechatpay_resource(wechatpay_transaction(ORDER, 3900)))
    key = provider_key("wechatpay-merchant-private") if case == "merchant's key" else None
    headers = _lower(
        wechatpay_headers(body, now() - (600 if case == "ten minutes old" else 0), private_key=key)
    )
    if case == "tampered":
        body = body.replace("TRANSACTION.SUCCESS", "REFUND.SUCCESS")
    if case == "no serial":
        del headers["wechatpay-serial"]
    if case == "not base64":
        headers["wechatpay-signature"] = "***"
    if case in ("tampered", "merchant's key"):
        assert not rsa_verify(
            headers["wechatpay-timestamp"],
            headers["wechatpay-nonce"],
            body,
            headers["wechatpay-signature"],
            load_public_key(PLATFORM_PUBLIC),
        )
    with pytest.raises(Unauthorized) as refused:
        wechatpay_notices.verify(headers, body, PLATFORM_PUBLIC)
    assert refused.value.code == "invalid_signature"


def test_a_resource_sealed_with_another_key_is_malformed() -> None:
    sealed = wechatpay_resource(wechatpay_transaction(ORDER, 3900), key="another0apiv3key0of0thirtytwo0by")
    notice = wechatpay_notices.parse(wechatpay_notice("TRANSACTION.SUCCESS", sealed))
    assert aes_decrypt(sealed["nonce"], sealed["ciphertext"], sealed["associated_data"], APIV3_KEY) is None
    with pytest.raises(MalformedNotice):
        wechatpay_notices.decrypt(notice.resource, APIV3_KEY)


def test_wechatpay_refund_notices_settle_or_fail_the_refund() -> None:
    def refund(status: str) -> object:
        resource = {
            "mchid": "1230000109",
            "out_trade_no": ORDER,
            "transaction_id": "4200000000000000000000000001",
            "out_refund_no": "ref_1",
            "refund_id": "50000000382019052709732678859",
            "refund_status": status,
            "success_time": "2026-11-26T10:00:00+08:00",
            "user_received_account": "招商银行信用卡0403",
            "amount": {"total": 3900, "refund": 1200, "payer_total": 3900, "payer_refund": 1200},
        }
        notice = wechatpay_notices.parse(
            wechatpay_notice(f"REFUND.{status}", wechatpay_resource(resource, kind="refund"))
        )
        return wechatpay_notices.meaning(notice, resource)

    settled = refund("SUCCESS")
    assert isinstance(settled, PaymentNotice)
    assert (settled.kind, settled.refund_id, settled.amount) == ("refund.succeeded", "ref_1", 1200)
    for status in ("ABNORMAL", "CLOSED"):
        failed = refund(status)
        assert isinstance(failed, PaymentNotice) and failed.kind == "refund.failed"


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"id": "x"}),
        json.dumps(
            {
                "id": "x",
                "create_time": "2026-11-25T16:00:05+08:00",
                "event_type": "TRANSACTION.SUCCESS",
                "resource": {"algorithm": "AES-CBC", "ciphertext": "", "nonce": ""},
            }
        ),
    ],
)
def test_a_body_that_is_no_wechatpay_notice_is_malformed(body: str) -> None:
    with pytest.raises(MalformedNotice):
        wechatpay_notices.parse(body)


def test_a_decrypted_transaction_without_what_wechatpay_always_sends_is_malformed() -> None:
    transaction = wechatpay_transaction(ORDER, 3900)
    del transaction["amount"]
    notice = wechatpay_notices.parse(wechatpay_notice("TRANSACTION.SUCCESS", wechatpay_resource(transaction)))
    with pytest.raises(MalformedNotice):
        wechatpay_notices.meaning(notice, transaction)
