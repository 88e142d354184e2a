"""Our requests to the providers are signed exactly as the providers' own SDKs sign them."""

from __future__ import annotations

import json
import re
from urllib.parse import quote_plus

import pytest
from alipay import AliPay
from oms import clock
from oms.providers import alipay_api, wechatpay_api
from oms.providers.http_calls import ProviderUnavailable
from oms_local import DEFAULT_PROVIDER_SECRETS, provider_key
from wechatpayv3.utils import build_authorization, load_private_key

ALIPAY = alipay_api.Keys(
    DEFAULT_PROVIDER_SECRETS["ALIPAY_APP_ID"],
    provider_key("alipay-app-private"),
    provider_key("alipay-platform-public"),
)
WECHATPAY = wechatpay_api.Keys(
    DEFAULT_PROVIDER_SECRETS["WECHATPAY_MCHID"],
    DEFAULT_PROVIDER_SECRETS["WECHATPAY_MERCHANT_SERIAL"],
    provider_key("wechatpay-merchant-private"),
    provider_key("wechatpay-platform-public"),
)


def test_an_alipay_request_is_signed_as_alipays_sdk_signs_it() -> None:
    biz = {
        "out_trade_no": "ord_1",
        "refund_amount": "12.00",
        "out_request_no": "ref_1",
        "refund_reason": "退款",
    }
    ours = alipay_api.signed_form(ALIPAY, "alipay.trade.refund", biz)
    sdk = AliPay(
        appid=ALIPAY.app_id,
        app_private_key_string=ALIPAY.app_private_key,
        alipay_public_key_string=ALIPAY.alipay_public_key,
        sign_type="RSA2",
    )
    unsigned = {k: v for k, v in ours.items() if k != "sign"}
    theirs = sdk.sign_data(dict(unsigned))  # "k=quoted(v)&…&sign=quoted(sign)"
    assert theirs.endswith("&sign=" + quote_plus(ours["sign"]))
    assert json.loads(ours["biz_content"]) == biz
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", ours["timestamp"])


def test_an_alipay_answer_is_verified_over_the_response_object_as_sent() -> None:
    signer = AliPay(
        appid=ALIPAY.app_id,
        app_private_key_string=provider_key("alipay-platform-private"),
        alipay_public_key_string=provider_key("alipay-platform-public"),
    )
    text = '{"code":"10000","msg":"Success","fund_change":"Y","refund_fee":"12.00"}'
    body = f'{{"alipay_trade_refund_response":{text},"sign":"{signer._sign(text)}"}}'
    found = alipay_api.verified_response(body, "alipay.trade.refund", ALIPAY.alipay_public_key)
    assert found["fund_change"] == "Y"
    tampered = body.replace('"12.00"', '"99.00"')
    with pytest.raises(ProviderUnavailable, match="does not verify"):
        alipay_api.verified_response(tampered, "alipay.trade.refund", ALIPAY.alipay_public_key)


def test_a_wechatpay_request_is_authorized_as_wechatpays_sdk_authorizes_it() -> None:
    body = json.dumps(
        {"out_refund_no": "ref_1", "amount": {"refund": 1200, "total": 3900, "currency": "CNY"}}
    )
    for _ in range(3):  # the SDK reads the clock itself: retry across a second boundary
        stamp = int(clock.now().timestamp())
        theirs = build_authorization(
            wechatpay_api.REFUNDS,
            "POST",
            WECHATPAY.mchid,
            WECHATPAY.merchant_serial,
            load_private_key(WECHATPAY.merchant_private_key),
            data=body,
            nonce_str="NONCE0123456789",
        )
        ours = wechatpay_api.authorization(
            WECHATPAY, "POST", wechatpay_api.REFUNDS, body, "NONCE0123456789", stamp
        )
        if f'timestamp="{stamp}"' in theirs:
            break
    assert ours == theirs
