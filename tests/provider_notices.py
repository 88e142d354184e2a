"""Notices signed as the payment providers sign them, with their own SDKs where one exists (stripe's
signature helper, python-alipay-sdk's signer, wechatpayv3's signer) and the local key pairs."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from typing import Any

import stripe
from alipay import AliPay
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from oms_local import DEFAULT_PROVIDER_SECRETS, provider_key
from wechatpayv3.utils import load_private_key, rsa_sign

STRIPE_SECRET = DEFAULT_PROVIDER_SECRETS["STRIPE_WEBHOOK_SECRET"]
ALIPAY_APP_ID = DEFAULT_PROVIDER_SECRETS["ALIPAY_APP_ID"]
APIV3_KEY = DEFAULT_PROVIDER_SECRETS["WECHATPAY_APIV3_KEY"]
WECHATPAY_SERIAL = "PUB_KEY_ID_0114232134912410000000000000"


# -- Stripe


def stripe_event(kind: str, found: dict[str, Any], created: int = 1_764_000_000) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-11-17.clover",
        "created": created,
        "livemode": False,
        "pending_webhooks": 1,
        "type": kind,
        "data": {"object": found},
    }


def payment_intent(order_id: str, amount: int, currency: str = "cny", **fields: Any) -> dict[str, Any]:
    return {
        "id": f"pi_{uuid.uuid4().hex[:24]}",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "status": "succeeded",
        "metadata": {"order_id": order_id},
        **fields,
    }


def stripe_headers(body: str, timestamp: int, secret: str = STRIPE_SECRET) -> dict[str, str]:
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return {"Content-Type": "application/json", "Stripe-Signature": header}


# -- Alipay


def alipay_params(order_id: str, amount_yuan: str, **fields: str) -> dict[str, str]:
    return {
        "notify_time": "2026-11-25 16:00:05",
        "notify_type": "trade_status_sync",
        "notify_id": uuid.uuid4().hex,
        "app_id": ALIPAY_APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "trade_no": f"2026112522001{uuid.uuid4().int % 10**15:015d}",
        "out_trade_no": order_id,
        "buyer_id": "2088102177846880",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": amount_yuan,
        "receipt_amount": amount_yuan,
        "gmt_create": "2026-11-25 15:59:40",
        "gmt_payment": "2026-11-25 16:00:01",
        "subject": "订单",
        **fields,
    }


def alipay_form(params: dict[str, str], private_key: str | None = None) -> str:
    """The form Alipay posts: the parameters signed RSA2 by Alipay's SDK signer, then ``sign_type``."""
    signer = AliPay(
        appid=params.get("app_id", ALIPAY_APP_ID),
        app_private_key_string=private_key or provider_key("alipay-platform-private"),
        alipay_public_key_string=provider_key("alipay-platform-public"),
        sign_type="RSA2",
    )
    return signer.sign_data(dict(params)) + "&sign_type=RSA2"


ALIPAY_FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


# -- WeChat Pay


def wechatpay_resource(
    payload: dict[str, Any], key: str = APIV3_KEY, kind: str = "transaction"
) -> dict[str, str]:
    """The ``resource`` as WeChat Pay seals it: AEAD_AES_256_GCM with the API v3 key, base64."""
    nonce = secrets.token_hex(6)
    sealed = AESGCM(key.encode()).encrypt(nonce.encode(), json.dumps(payload).encode(), kind.encode())
    return {
        "original_type": kind,
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(sealed).decode(),
        "associated_data": kind,
        "nonce": nonce,
    }


def wechatpay_transaction(order_id: str, total: int, **fields: Any) -> dict[str, Any]:
    return {
        "appid": "wxd678efh567hg6787",
        "mchid": "1230000109",
        "out_trade_no": order_id,
        "transaction_id": f"42000{uuid.uuid4().int % 10**23:023d}",
        "trade_type": "JSAPI",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "CMC",
        "success_time": "2026-11-25T16:00:01+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"},
        **fields,
    }


def wechatpay_notice(event_type: str, resource: dict[str, str], summary: str = "支付成功") -> str:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "create_time": "2026-11-25T16:00:05+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": resource,
        },
        ensure_ascii=False,
    )


def wechatpay_headers(body: str, timestamp: int, private_key: str | None = None) -> dict[str, str]:
    """The headers WeChat Pay signs a notice with (its SDK's SHA256withRSA signer, the platform key)."""
    nonce = secrets.token_hex(16)
    key = load_private_key(private_key or provider_key("wechatpay-platform-private"))
    return {
        "Content-Type": "application/json",
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Serial": WECHATPAY_SERIAL,
        "Wechatpay-Signature": rsa_sign(key, f"{timestamp}\n{nonce}\n{body}\n"),
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }
