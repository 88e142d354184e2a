"""Notices about returns ("退货申请审核" asks to keep the buyer informed at each step): their values.

The wording is in ``locales/<locale>.toml``, beside the order notices'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms.notices.locale import Locale
from oms.notices.rendering import Facts, Renderer, currency_of, money, renderer

Order = Mapping[str, Any]


def _return(detail: Facts) -> dict[str, Any]:
    return dict(detail.get("return") or {})


def return_approved(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    item = _return(detail)
    steps = item.get("instructions", {})
    return {
        "return_id": item.get("id", ""),
        "order_id": order["id"],
        "ship_within_days": steps.get("ship_within_days", 7),
        "return_address": steps.get("return_address", ""),
        "packing": steps.get("packing", ""),
        "recommended_carrier": steps.get("recommended_carrier", ""),
        "insurance": "advised" if steps.get("insurance_advised") else "none",
    }


def return_rejected(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    item = _return(detail)
    decision = item.get("decision", {})
    amount = decision.get("partial_refund_amount")
    return {
        "return_id": item.get("id", ""),
        "order_id": order["id"],
        "reason": decision.get("reason", ""),
        "offer": locale.word("alternative", decision.get("alternative", "")),
        "partial_refund": "amount" if amount else "none",
        "amount": money(int(amount), currency_of(order)) if amount else "",
    }


def exchange_updated(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    """An exchange approved (what the buyer pays or gets back, when the replacement ships), its
    replacement released, or the exchange cancelled for a difference left unpaid."""
    difference = int(detail.get("difference", 0))
    due = detail.get("payment_due_at")
    state = str(detail.get("state", "approved"))
    ships = str(detail.get("ships") or "at_first_scan")
    return {
        "order_id": order["id"],
        "replacement_order_id": detail.get("replacement_order_id", ""),
        "state": state,
        "headline": state,
        "money": "pay" if difference > 0 else "refund" if difference < 0 else "none",
        "amount": money(abs(difference), currency_of(order)),
        "due": locale.date(str(due)) if due else "",
        "ships": "once_paid" if ships == "at_approval" and difference > 0 else ships,
    }


def order_only(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    """For a message that names the order and nothing else."""
    return {"order_id": order["id"]}


RETURN_RENDERERS: dict[str, Renderer] = {
    "ReturnApproved": renderer(return_approved),
    "ReturnRejected": renderer(return_rejected),
    "ReturnDisputed": renderer(order_only, "return_disputed"),
    "ReturnLapsed": renderer(order_only, "return_lapsed"),
    "ReturnMessage": renderer(order_only, "return_message"),
    "ReturnIntercepting": renderer(order_only, "return_intercepting"),
    "ReturnInterceptionFailed": renderer(order_only, "return_interception_failed"),
    "ExchangeUpdated": renderer(exchange_updated),
}
