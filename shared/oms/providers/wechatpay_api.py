"""WeChat Pay API v3 (https://pay.weixin.qq.com/docs/merchant/apis/): each request carries
``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…``, the
signature SHA256withRSA with the merchant's key over ``METHOD\\nPATH\\ntimestamp\\nnonce\\nbody\\n``; each
answer is signed by the platform key like a notice, and verified the same way.

A refund is idempotent on ``out_refund_no`` (our refund id); the order query by ``out_trade_no`` (our
order id) tells whether it was paid.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from oms import clock
from oms.problems import Unauthorized
from oms.providers import rsa_signatures, wechatpay_notices
from oms.providers.http_calls import Answer, ProviderUnavailable, call
from oms.providers.payment_calls import PaymentFound, RefundAnswer, RefundAsked, RefundStatus

REFUNDS = "/v3/refund/domestic/refunds"
_STATUS: dict[str, RefundStatus] = {
    "SUCCESS": "succeeded",
    "PROCESSING": "pending",
    "CLOSED": "failed",
    "ABNORMAL": "failed",
}


@dataclass(frozen=True)
class Keys:
    mchid: str
    merchant_serial: str
    merchant_private_key: str
    platform_public_key: str


def authorization(keys: Keys, method: str, path: str, body: str, nonce: str, timestamp: int) -> str:
    message = f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n"
    signature = rsa_signatures.sign(keys.merchant_private_key, message.encode())
    return (
        f'WECHATPAY2-SHA256-RSA2048 mchid="{keys.mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{keys.merchant_serial}"'
    )


def _call(base_url: str, keys: Keys, method: str, path: str, payload: dict[str, Any] | None) -> Answer:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
    nonce = secrets.token_hex(16).upper()
    headers = {
        "Authorization": authorization(keys, method, path, body, nonce, int(clock.now().timestamp())),
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    answer = call(method, f"{base_url}{path}", headers, body.encode() if payload is not None else None)
    if answer.status < 300:
        try:
            wechatpay_notices.verify(answer.headers, answer.body, keys.platform_public_key)
        except Unauthorized as error:
            raise ProviderUnavailable(
                f"WeChat Pay's answer to {path} is not signed by the platform"
            ) from error
    return answer


def refund(base_url: str, keys: Keys, asked: RefundAsked) -> RefundAnswer:
    payload = {
        "transaction_id": asked.payment_id,
        "out_refund_no": asked.refund_id,
        "reason": asked.reason[:80],
        "amount": {"refund": asked.amount, "total": asked.paid, "currency": asked.currency},
    }
    answer = _call(base_url, keys, "POST", REFUNDS, payload)
    found = answer.json_object("WeChat Pay")
    if answer.status >= 300:
        # NOT_ENOUGH, INVALID_REQUEST, USER_ACCOUNT_ABNORMAL …: refused; asking again will not help.
        return RefundAnswer("failed", f"wechatpay:{found.get('code', answer.status)}")
    return RefundAnswer(_STATUS.get(str(found.get("status")), "pending"), str(found.get("refund_id", "")))


def refund_status(base_url: str, keys: Keys, asked: RefundAsked) -> RefundAnswer | None:
    """``GET /v3/refund/domestic/refunds/{out_refund_no}``; None when WeChat Pay has no such refund."""
    answer = _call(base_url, keys, "GET", f"{REFUNDS}/{quote(asked.refund_id, safe='')}", None)
    if answer.status == 404:
        return None
    found = answer.json_object("WeChat Pay")
    if answer.status >= 300:
        raise ProviderUnavailable(f"WeChat Pay's refund query answered {answer.status}: {found.get('code')}")
    return RefundAnswer(_STATUS.get(str(found.get("status")), "pending"), str(found.get("refund_id", "")))


def find_payment(base_url: str, keys: Keys, order_id: str) -> PaymentFound | None:
    path = f"/v3/pay/transactions/out-trade-no/{quote(order_id, safe='')}?mchid={quote(keys.mchid, safe='')}"
    answer = _call(base_url, keys, "GET", path, None)
    if answer.status == 404:
        return None  # ORDER_NOT_EXIST
    found = answer.json_object("WeChat Pay")
    if answer.status >= 300:
        raise ProviderUnavailable(f"WeChat Pay's order query answered {answer.status}: {found.get('code')}")
    amount: dict[str, Any] = found["amount"] if isinstance(found.get("amount"), dict) else {}
    if found.get("trade_state") != "SUCCESS" or not isinstance(amount.get("total"), int):
        return None
    return PaymentFound(
        str(found.get("transaction_id", "")), int(amount["total"]), str(amount.get("currency", "CNY"))
    )
