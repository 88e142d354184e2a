"""The payment providers, behind one small port: refund a payment, and ask whether an order was paid.

``sandbox`` (the default, and the local stack's) settles a refund at once, the way a provider's test mode
does, and knows of no payment but what the webhooks said. ``live`` calls the provider of the order's
payment method: Alipay (``alipay.trade.refund``), WeChat Pay (``/v3/refund/domestic/refunds``), Stripe for
cards (``POST /v1/refunds``), and the platform's balance ledger for ``balance``; each keyed on our refund
id, so asking again after a lost answer refunds once. A provider may answer ``pending`` and settle later
through its ``refund.*`` notice; either way :func:`oms.store.refunds.settle` records the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

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


class ProviderApi(Protocol):
    """A provider's API module (:mod:`~oms.providers.alipay_api`, ``wechatpay_api``, ``stripe_api``)."""

    def refund(self, base_url: str, keys: Any, asked: RefundAsked) -> RefundAnswer: ...

    def refund_status(self, base_url: str, keys: Any, asked: RefundAsked) -> RefundAnswer | None: ...

    def find_payment(self, base_url: str, keys: Any, order_id: str) -> PaymentFound | None: ...


@dataclass(frozen=True)
class _Provider:
    api: ProviderApi
    url: Callable[[], str]
    keys: Callable[[], Any]


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


# The provider of each payment method; ``balance`` is the platform's own ledger.
PROVIDERS: dict[str, _Provider] = {
    "alipay": _Provider(alipay_api, lambda: settings().alipay_gateway_url, _alipay_keys),
    "wechat_pay": _Provider(wechatpay_api, lambda: settings().wechatpay_api_url, _wechatpay_keys),
    "card": _Provider(
        stripe_api, lambda: settings().stripe_api_url, lambda: provider_secret("STRIPE_API_KEY")
    ),
}


class LiveProviders:
    """The provider of each order's payment method."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def refund(self, refund: Item, order: Item) -> RefundAnswer:
        wanted, chosen = asked(refund, order), PROVIDERS.get(order["payment_method"])
        if chosen is None:
            return self._to_balance(wanted, order)
        return chosen.api.refund(chosen.url(), chosen.keys(), wanted)

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
        """Where the provider stands on ``refund``; None when it never received it (the balance ledger never
        leaves a refund pending)."""
        chosen = PROVIDERS.get(order["payment_method"])
        return chosen.api.refund_status(chosen.url(), chosen.keys(), asked(refund, order)) if chosen else None

    def find_payment(self, order: Item) -> PaymentFound | None:
        """The provider's record of ``order``'s payment (a balance payment is ours: its notice is never lost)."""
        chosen = PROVIDERS.get(order["payment_method"])
        return chosen.api.find_payment(chosen.url(), chosen.keys(), order["id"]) if chosen else None


def provider(table: Table) -> PaymentProvider:
    return LiveProviders(table) if settings().payment_provider == "live" else SandboxProvider(table)
