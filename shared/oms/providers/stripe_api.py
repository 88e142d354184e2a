"""Stripe's API (https://docs.stripe.com/api): ``POST /v1/refunds`` with our refund id as the
``Idempotency-Key`` (Stripe answers a repeat with the first answer and refunds once), and the
PaymentIntent search that tells whether an order was paid."""

from __future__ import annotations

from urllib.parse import urlencode

from oms.providers.http_calls import ProviderUnavailable, call
from oms.providers.payment_calls import PaymentFound, RefundAnswer, RefundAsked, RefundStatus

_STATUS: dict[str, RefundStatus] = {
    "succeeded": "succeeded",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "failed",
}


def _headers(api_key: str, **extra: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/x-www-form-urlencoded",
        **extra,
    }


def refund(base_url: str, api_key: str, asked: RefundAsked) -> RefundAnswer:
    form = {
        "payment_intent": asked.payment_id,
        "amount": str(asked.amount),
        "metadata[order_id]": asked.order_id,
        "metadata[refund_id]": asked.refund_id,
    }
    answer = call(
        "POST",
        f"{base_url}/v1/refunds",
        _headers(api_key, **{"Idempotency-Key": asked.refund_id}),
        urlencode(form).encode(),
    )
    found = answer.json_object("Stripe")
    if answer.status != 200:
        # A card error, a charge already refunded, a bad key: Stripe refused, and asking again will not help.
        error = found.get("error") if isinstance(found.get("error"), dict) else {}
        return RefundAnswer("failed", f"stripe:{answer.status}:{(error or {}).get('code', 'error')}")
    return RefundAnswer(_STATUS.get(str(found.get("status")), "pending"), str(found.get("id", "")))


def refund_status(base_url: str, api_key: str, asked: RefundAsked) -> RefundAnswer | None:
    """Where Stripe stands on our refund (found by its ``metadata.refund_id``); None if it has none."""
    query = urlencode({"payment_intent": asked.payment_id, "limit": "100"})
    answer = call("GET", f"{base_url}/v1/refunds?{query}", _headers(api_key))
    if answer.status != 200:
        raise ProviderUnavailable(f"Stripe's refund list answered {answer.status}")
    for found in answer.json_object("Stripe").get("data") or []:
        if isinstance(found, dict) and (found.get("metadata") or {}).get("refund_id") == asked.refund_id:
            return RefundAnswer(_STATUS.get(str(found.get("status")), "pending"), str(found.get("id", "")))
    return None


def find_payment(base_url: str, api_key: str, order_id: str) -> PaymentFound | None:
    """The succeeded PaymentIntent of ``order_id`` (its ``metadata.order_id``), if Stripe has one."""
    query = urlencode({"query": f"metadata['order_id']:'{order_id}' AND status:'succeeded'"})
    answer = call("GET", f"{base_url}/v1/payment_intents/search?{query}", _headers(api_key))
    if answer.status != 200:
        raise ProviderUnavailable(f"Stripe's search answered {answer.status}")
    for intent in answer.json_object("Stripe").get("data") or []:
        if isinstance(intent, dict) and intent.get("status") == "succeeded":
            received = intent.get("amount_received")
            if isinstance(received, int):
                return PaymentFound(str(intent["id"]), received, str(intent.get("currency", "")).upper())
    return None
