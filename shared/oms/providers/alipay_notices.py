"""Alipay's asynchronous notice (异步通知, https://opendocs.alipay.com/open/270/105902): a form-encoded POST
signed RSA2 (SHA256withRSA) with Alipay's key, over the parameters other than ``sign`` and ``sign_type``,
sorted by name and joined as ``k=v&…`` after form decoding (empty values left out, as Alipay's SDKs do).

Amounts are yuan as decimal strings ("39.00"): read exactly into fen, never through a float. Alipay retries
until the answer is the plain text ``success``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

from oms import clock
from oms.providers import rsa_signatures
from oms.providers.notices import MalformedNotice, Meaning, OtherNotice, PaymentNotice, invalid_signature

BEIJING = timezone(timedelta(hours=8))
UNSIGNED = ("sign", "sign_type")
_YUAN = re.compile(r"^(0|[1-9][0-9]{0,11})(?:\.([0-9]{1,2}))?$")
_PAID = ("TRADE_SUCCESS", "TRADE_FINISHED")


def parse_form(body: str) -> dict[str, str]:
    """The notice's parameters; a body that is no form, or names a parameter twice, is malformed."""
    try:
        pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedNotice("The body is not a form-encoded Alipay notice.") from error
    params = dict(pairs)
    if len(params) != len(pairs):
        raise MalformedNotice("A parameter is given twice.")
    return params


def signed_string(params: dict[str, str]) -> str:
    """What Alipay signs: every non-empty parameter but ``sign``/``sign_type``, sorted, ``k=v`` joined by ``&``."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in UNSIGNED and v != "")


def verify(params: dict[str, str], alipay_public_key: str, app_id: str) -> None:
    """Raise 401 ``invalid_signature`` unless Alipay signed ``params`` (RSA2) for our ``app_id``."""
    if params.get("sign_type", "RSA2") != "RSA2" or not params.get("sign"):
        raise invalid_signature("The notice is not signed RSA2.")
    if not rsa_signatures.verifies(alipay_public_key, signed_string(params).encode(), params["sign"]):
        raise invalid_signature("The notice's sign does not verify with Alipay's public key.")
    # A genuine notice for another merchant's app is not ours to apply (Alipay asks merchants to check).
    if params.get("app_id") != app_id:
        raise invalid_signature("The notice is for another app_id.")


def yuan_to_fen(text: str) -> int:
    """``"39.9"`` → 3990, exactly; anything but a plain non-negative decimal with ≤2 places is malformed."""
    found = _YUAN.match(text)
    if found is None:
        raise MalformedNotice(f"{text!r} is not an amount in yuan.")
    whole, cents = found.group(1), (found.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(cents)


def _moment(text: str | None) -> datetime:
    """Alipay's times are ``yyyy-MM-dd HH:mm:ss`` in Beijing time."""
    if not text:
        return clock.now()
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError as error:
        raise MalformedNotice(f"{text!r} is not an Alipay time.") from error


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise MalformedNotice(f"The notice has no {name}.", extra={"field": name})
    return value


def meaning(params: dict[str, str]) -> Meaning:
    """What a verified notice tells this service (a refund when it names ``out_biz_no`` and ``refund_fee``)."""
    event_id = f"alipay:{_required(params, 'notify_id')}"
    status = _required(params, "trade_status")
    common = {
        "event_id": event_id,
        "order_id": _required(params, "out_trade_no"),
        "payment_id": _required(params, "trade_no"),
        "currency": "CNY",
    }
    if params.get("out_biz_no") and params.get("refund_fee"):
        return PaymentNotice(
            kind="refund.succeeded",
            refund_id=params["out_biz_no"],
            amount=yuan_to_fen(params["refund_fee"]),
            occurred_at=_moment(params.get("gmt_refund") or params.get("notify_time")),
            **common,
        )
    if status in _PAID:
        return PaymentNotice(
            kind="payment.succeeded",
            amount=yuan_to_fen(_required(params, "total_amount")),
            occurred_at=_moment(params.get("gmt_payment") or params.get("notify_time")),
            **common,
        )
    if status == "TRADE_CLOSED":
        return PaymentNotice(
            kind="payment.failed",
            amount=yuan_to_fen(params.get("total_amount") or "0"),
            occurred_at=_moment(params.get("gmt_close") or params.get("notify_time")),
            **common,
        )
    return OtherNotice(event_id=event_id, type=status)
