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
}
