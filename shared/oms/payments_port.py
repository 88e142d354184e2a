"""The payment providers, behind one small port: refund a payment, and ask whether an order was paid.

``sandbox`` (the default, and the local stack's) settles a refund at once, the way a provider's test mode
does, and knows of no payment but what the webhooks said. ``live`` calls the provider of the order's
payment method: Alipay (``alipay.trade.refund``), WeChat Pay (``/v3/refund/domestic/refunds``), Stripe for
cards (``POST /v1/refunds``), and the platform's balance ledger for ``balance``; each keyed on our refund
id, so asking again after a lost answer refunds once. A provider may answer ``pending`` and settle later
through its ``refund.*`` notice; either way :func:`oms.store.refunds.settle` records the result.
"""

from __future__ import annotations

from typing import Protocol

from oms.config import declare, require, require_secret, settings
from oms.providers import alipay_api, stripe_api, wechatpay_api
from oms.providers.payment_calls import PaymentFound, RefundAnswer, RefundAsked
from oms.secrets import provider_secret
from oms.store import credits
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, commit

__all__ = ["PaymentFound", "PaymentProvider", "RefundAnswer", "provider"]

# The keys the live calls sign and verify with (docs/deploy.md "Providers: refunds and queries"); a live
# function without one of them fails at its cold start, a sandbox one never reads them.
LIVE_KEYS = (
    "STRIPE_API_KEY",
    "ALIPAY_APP_ID",
    "ALIPAY_APP_PRIVATE_KEY",
    "ALIPAY_PUBLIC_KEY",
    "WECHATPAY_MCHID",
    "WECHATPAY_MERCHANT_SERIAL",
    "WECHATPAY_MERCHANT_PRIVATE_KEY",
    "WECHATPAY_PLATFORM_PUBLIC_KEY",
)
require("PAYMENT_PROVIDER", by=__name__)
for _key in LIVE_KEYS:
    declare(_key, f"{_key}_PARAM", by=__name__)
    if settings().payment_provider == "live":
        require_secret(_key, by=__name__)


class PaymentProvider(Protocol):
    def refund(self, refund: Item, order: Item) -> RefundAnswer: ...

    def refund_status(self, refund: Item, order: Item) -> RefundAnswer | None: ...

    def find_payment(self, order: Item) -> PaymentFound | None: ...


class SandboxProvider:
    def __init__(self, table: Table) -> None:
        self.table = table

    def refund(self, refund: Item, order: Item) -> RefundAnswer:
        return RefundAnswer(status="succeeded", provider_ref=f"sandbox_{refund['id']}")

    def refund_status(self, refund: Item, order: Item) -> RefundAnswer | None:
        return None

    def find_payment(self, order: Item) -> PaymentFound | None:
        return None


def asked(refund: Item, order: Item) -> RefundAsked:
    return RefundAsked(
        refund_id=str(refund["id"]),
        order_id=str(order["id"]),
        payment_id=str(refund.get("payment_id") or order.get("payment_id") or ""),
        amount=int(refund["amount"]),
        paid=int(order.get("captured") or order["totals"]["total"]),
        currency=str(refund["currency"]),
        reason=str(refund.get("reason", "refund")),
    )


def _alipay_keys() -> alipay_api.Keys:
    return alipay_api.Keys(
        provider_secret("ALIPAY_APP_ID"),
        provider_secret("ALIPAY_APP_PRIVATE_KEY"),
        provider_secret("ALIPAY_PUBLIC_KEY"),
    )


def _wechatpay_keys() -> wechatpay_api.Keys:
    return wechatpay_api.Keys(
        provider_secret("WECHATPAY_MCHID"),
        provider_secret("WECHATPAY_MERCHANT_SERIAL"),
        provider_secret("WECHATPAY_MERCHANT_PRIVATE_KEY"),
        provider_secret("WECHATPAY_PLATFORM_PUBLIC_KEY"),
    )


class LiveProviders:
    """The provider of each order's payment method."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def refund(self, refund: Item, order: Item) -> RefundAnswer:
        method, s = order["payment_method"], settings()
        wanted = asked(refund, order)
        if method == "alipay":
            return alipay_api.refund(s.alipay_gateway_url, _alipay_keys(), wanted)
        if method == "wechat_pay":
            return wechatpay_api.refund(s.wechatpay_api_url, _wechatpay_keys(), wanted)
        if method == "card":
            return stripe_api.refund(s.stripe_api_url, provider_secret("STRIPE_API_KEY"), wanted)
        return self._to_balance(wanted, order)

    def _to_balance(self, wanted: RefundAsked, order: Item) -> RefundAnswer:
        """Back onto the buyer's platform balance: one ledger credit per refund id, so once."""
        grant = credits.grant(
            str(order["customer_id"]),
            wanted.refund_id,
            wanted.amount,
            wanted.currency,
            "refund",
            wanted.order_id,
        )
        try:
            commit(self.table, *grant)
        except Cancelled as cancelled:
            if not cancelled.failed_on(credits.CREDIT):
                raise
        return RefundAnswer(status="succeeded", provider_ref=f"balance:{wanted.refund_id}")

    def refund_status(self, refund: Item, order: Item) -> RefundAnswer | None:
        """Where the provider stands on ``refund``; None when it never received it."""
        method, s, wanted = order["payment_method"], settings(), asked(refund, order)
        if method == "alipay":
            return alipay_api.refund_status(s.alipay_gateway_url, _alipay_keys(), wanted)
        if method == "wechat_pay":
            return wechatpay_api.refund_status(s.wechatpay_api_url, _wechatpay_keys(), wanted)
        if method == "card":
            return stripe_api.refund_status(s.stripe_api_url, provider_secret("STRIPE_API_KEY"), wanted)
        return None  # the balance ledger never leaves a refund pending

    def find_payment(self, order: Item) -> PaymentFound | None:
        method, s = order["payment_method"], settings()
        if method == "alipay":
            return alipay_api.find_payment(s.alipay_gateway_url, _alipay_keys(), order["id"])
        if method == "wechat_pay":
            return wechatpay_api.find_payment(s.wechatpay_api_url, _wechatpay_keys(), order["id"])
        if method == "card":
            return stripe_api.find_payment(s.stripe_api_url, provider_secret("STRIPE_API_KEY"), order["id"])
        return None  # a balance payment is ours: its notice cannot be lost on the way


def provider(table: Table) -> PaymentProvider:
    return LiveProviders(table) if settings().payment_provider == "live" else SandboxProvider(table)
