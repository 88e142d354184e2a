"""Alipay's OpenAPI gateway (https://opendocs.alipay.com/open/3aea9b48_alipay.trade.refund): a form POST
of the public parameters and ``biz_content``, signed RSA2 with the app's private key over every parameter
but ``sign``, sorted; the answer ``{"<method>_response": {...}, "sign": …}`` is verified with Alipay's key
over the response object exactly as it was sent.

``alipay.trade.refund`` is idempotent on ``out_request_no`` (our refund id): asked again, Alipay answers
the same refund with ``fund_change: "N"`` and pays nothing more. ``alipay.trade.query`` tells whether
``out_trade_no`` (our order id) was paid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from oms import clock
from oms.providers import rsa_signatures
from oms.providers.alipay_notices import BEIJING, yuan_to_fen
from oms.providers.http_calls import ProviderUnavailable, call
from oms.providers.notices import MalformedNotice
from oms.providers.payment_calls import PaymentFound, RefundAnswer, RefundAsked

SUCCESS = "10000"
UNAVAILABLE = "20000"  # 服务不可用: ask again later


@dataclass(frozen=True)
class Keys:
    app_id: str
    app_private_key: str
    alipay_public_key: str


def fen_to_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def signed_form(keys: Keys, method: str, biz_content: dict[str, Any]) -> dict[str, str]:
    """The request's parameters with their ``sign`` (RSA2 over all but ``sign``, sorted, ``k=v&…``)."""
    params = {
        "app_id": keys.app_id,
        "method": method,
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": clock.now().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        "version": "1.0",
        "biz_content": json.dumps(biz_content, separators=(",", ":"), ensure_ascii=False),
    }
    unsigned = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return {**params, "sign": rsa_signatures.sign(keys.app_private_key, unsigned.encode())}


def _call(base_url: str, keys: Keys, method: str, biz_content: dict[str, Any]) -> dict[str, Any]:
    form = urlencode(signed_form(keys, method, biz_content)).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}
    answer = call("POST", base_url, headers, form)
    return verified_response(answer.body, method, keys.alipay_public_key)


def verified_response(body: str, method: str, alipay_public_key: str) -> dict[str, Any]:
    """The ``<method>_response`` object, once its ``sign`` verifies over the object's exact text."""
    name = f'"{method.replace(".", "_")}_response"'
    start = body.find(name)
    if start < 0:
        raise ProviderUnavailable(f"Alipay's answer to {method} has no {name}")
    begin = body.index(":", start + len(name)) + 1
    while body[begin] in " \n\t":
        begin += 1
    try:
        found, end = json.JSONDecoder().raw_decode(body, begin)
        signature = json.loads(body).get("sign", "")
    except ValueError as error:
        raise ProviderUnavailable(f"Alipay's answer to {method} is not JSON") from error
    if found.get("code") != SUCCESS and not signature:
        return dict(found)  # Alipay leaves some errors unsigned (a bad app id, a bad signature of ours)
    if not rsa_signatures.verifies(alipay_public_key, body[begin:end].encode(), signature):
        raise ProviderUnavailable(f"Alipay's answer to {method} does not verify with Alipay's key")
    return dict(found)


def refund(base_url: str, keys: Keys, asked: RefundAsked) -> RefundAnswer:
    found = _call(
        base_url,
        keys,
        "alipay.trade.refund",
        {
            "out_trade_no": asked.order_id,
            "trade_no": asked.payment_id,
            "refund_amount": fen_to_yuan(asked.amount),
            "out_request_no": asked.refund_id,
            "refund_reason": asked.reason,
        },
    )
    code = str(found.get("code"))
    if code == UNAVAILABLE:
        raise ProviderUnavailable(f"Alipay is unavailable: {found.get('sub_code')}")
    if code != SUCCESS:
        return RefundAnswer("failed", f"alipay:{found.get('sub_code') or code}")
    return RefundAnswer("succeeded", str(found.get("trade_no", asked.payment_id)))


def refund_status(base_url: str, keys: Keys, asked: RefundAsked) -> RefundAnswer | None:
    """``alipay.trade.fastpay.refund.query``: ``REFUND_SUCCESS`` once paid back; None if Alipay has no such
    refund (the request never reached it)."""
    found = _call(
        base_url,
        keys,
        "alipay.trade.fastpay.refund.query",
        {"out_trade_no": asked.order_id, "out_request_no": asked.refund_id},
    )
    code = str(found.get("code"))
    if code == UNAVAILABLE:
        raise ProviderUnavailable(f"Alipay is unavailable: {found.get('sub_code')}")
    if code == SUCCESS and found.get("refund_status") == "REFUND_SUCCESS":
        return RefundAnswer("succeeded", str(found.get("trade_no", asked.payment_id)))
    return None


def find_payment(base_url: str, keys: Keys, order_id: str) -> PaymentFound | None:
    found = _call(base_url, keys, "alipay.trade.query", {"out_trade_no": order_id})
    code = str(found.get("code"))
    if code == UNAVAILABLE:
        raise ProviderUnavailable(f"Alipay is unavailable: {found.get('sub_code')}")
    if code != SUCCESS or found.get("trade_status") not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
        return None  # ACQ.TRADE_NOT_EXIST, WAIT_BUYER_PAY, TRADE_CLOSED: not paid
    try:
        amount = yuan_to_fen(str(found.get("total_amount", "")))
    except MalformedNotice as error:
        raise ProviderUnavailable("Alipay's trade query has no total_amount") from error
    return PaymentFound(str(found.get("trade_no", "")), amount, "CNY")
