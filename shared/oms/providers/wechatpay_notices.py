"""WeChat Pay API v3 notices (支付通知 / 退款结果通知, https://pay.weixin.qq.com/docs/merchant/apis/):
``Wechatpay-Signature`` is SHA256withRSA over ``timestamp\\nnonce\\nbody\\n`` with the platform key (named by
``Wechatpay-Serial``), 300 s tolerance; the ``resource`` is AEAD_AES_256_GCM-encrypted with the merchant's
API v3 key. Amounts are fen. WeChat Pay retries until the answer is 2xx; a refusal carries
``{"code": "FAIL", "message": …}``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from oms import clock
from oms.problems import ProviderNotConfigured
from oms.providers import rsa_signatures
from oms.providers.notices import (
    MalformedNotice,
    Meaning,
    OtherNotice,
    PaymentNotice,
    invalid_signature,
    parsed,
)

TOLERANCE_SECONDS = 300


def verify(headers: dict[str, str], body: str, platform_public_key: str) -> None:
    """Raise 401 ``invalid_signature`` unless the platform key signed this body within the window."""
    timestamp = headers.get("wechatpay-timestamp", "")
    nonce = headers.get("wechatpay-nonce", "")
    signature = headers.get("wechatpay-signature", "")
    if not (timestamp.isdigit() and nonce and signature and headers.get("wechatpay-serial")):
        raise invalid_signature("Missing Wechatpay-Timestamp, -Nonce, -Signature or -Serial.")
    if abs(clock.now().timestamp() - int(timestamp)) > TOLERANCE_SECONDS:
        raise invalid_signature("The Wechatpay-Timestamp is outside the 300 s tolerance.")
    message = f"{timestamp}\n{nonce}\n{body}\n".encode()
    if not rsa_signatures.verifies(platform_public_key, message, signature):
        raise invalid_signature("The Wechatpay-Signature does not verify with the platform key.")


class Resource(BaseModel):
    algorithm: Literal["AEAD_AES_256_GCM"]
    ciphertext: str
    nonce: str
    associated_data: str = ""
    original_type: str = ""


class Notice(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=64)
    create_time: datetime
    event_type: str = Field(min_length=1, max_length=64)
    resource_type: str = ""
    resource: Resource


def parse(body: str) -> Notice:
    return parsed(Notice, body, "a WeChat Pay v3 notice")


def decrypt(resource: Resource, apiv3_key: str) -> dict[str, Any]:
    """The notice's resource in clear (AEAD_AES_256_GCM, key = the 32-byte API v3 key)."""
    key = apiv3_key.encode()
    if len(key) != 32:
        raise ProviderNotConfigured("The WeChat Pay API v3 key must be 32 bytes.")
    # Imported here, not at cold start: see oms.providers.rsa_signatures.
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        clear = AESGCM(key).decrypt(
            resource.nonce.encode(), base64.b64decode(resource.ciphertext), resource.associated_data.encode()
        )
        found = json.loads(clear)
    except (InvalidTag, binascii.Error, ValueError) as error:
        # Signed by WeChat Pay, yet not sealed with our key: a notice for another merchant, or a stale key.
        raise MalformedNotice("The resource does not decrypt with the API v3 key.") from error
    if not isinstance(found, dict):
        raise MalformedNotice("The decrypted resource is not an object.")
    return found


class _Amount(BaseModel):
    total: StrictInt = Field(ge=0)
    refund: StrictInt | None = Field(None, ge=0)
    currency: str = "CNY"


class _Transaction(BaseModel):
    model_config = ConfigDict(extra="allow")

    out_trade_no: str = Field(min_length=1)
    transaction_id: str = Field(min_length=1)
    trade_state: str
    success_time: datetime | None = None
    amount: _Amount


class _Refund(BaseModel):
    model_config = ConfigDict(extra="allow")

    out_trade_no: str = Field(min_length=1)
    transaction_id: str = Field(min_length=1)
    out_refund_no: str = Field(min_length=1)
    refund_status: str
    success_time: datetime | None = None
    amount: _Amount


def meaning(notice: Notice, resource: dict[str, Any]) -> Meaning:
    event_id = f"wechatpay:{notice.id}"
    try:
        if notice.event_type == "TRANSACTION.SUCCESS":
            paid = _Transaction.model_validate(resource)
            if paid.trade_state != "SUCCESS":
                return OtherNotice(event_id=event_id, type=f"{notice.event_type}:{paid.trade_state}")
            return PaymentNotice(
                event_id=event_id,
                kind="payment.succeeded",
                order_id=paid.out_trade_no,
                payment_id=paid.transaction_id,
                amount=paid.amount.total,
                currency=paid.amount.currency,
                occurred_at=paid.success_time or notice.create_time,
            )
        if notice.event_type.startswith("REFUND."):
            refund = _Refund.model_validate(resource)
            return PaymentNotice(
                event_id=event_id,
                kind="refund.succeeded" if refund.refund_status == "SUCCESS" else "refund.failed",
                order_id=refund.out_trade_no,
                payment_id=refund.transaction_id,
                refund_id=refund.out_refund_no,
                amount=refund.amount.refund if refund.amount.refund is not None else refund.amount.total,
                currency=refund.amount.currency,
                occurred_at=refund.success_time or notice.create_time,
            )
    except ValidationError as error:
        raise MalformedNotice(
            f"The {notice.event_type} resource is not as WeChat Pay documents it."
        ) from error
    return OtherNotice(event_id=event_id, type=notice.event_type)
