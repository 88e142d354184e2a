"""Notices about an order: what each message shows, prepared once for every locale.

The wording is in ``locales/<locale>.toml`` (one file per locale); each function here computes the values
for the message it is named after; a choice's value names the line the locale file holds for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms.domain import carriers, instant_refund
from oms.notices.locale import Locale
from oms.notices.rendering import Facts, Renderer, currency_of, money, renderer

Order = Mapping[str, Any]


def order_confirmation(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    """The specification's confirmation notice: number, items, quantities, unit prices, total, payment,
    address, estimated ship and delivery dates."""
    totals, currency = order["totals"], currency_of(order)
    items = [
        {
            "name": line["name"],
            "quantity": line["quantity"],
            "unit_price": money(line["unit_price"], currency),
        }
        for line in order["lines"]
    ]
    return {
        "order_id": order["id"],
        "items": items,
        **{key: money(totals[key], currency) for key in ("subtotal", "discount", "shipping_fee", "total")},
        "payment_method": locale.word("payment_method", order["payment_method"]),
        "payment_due_at": order["payment_due_at"],
        "address": locale.address(order["shipping_address"]),
        "ship_by": locale.date(order["estimated_ship_by"]),
        "deliver_by": locale.date(order["estimated_delivery_by"]),
    }


def order_paid(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    step = "review" if detail.get("review") else "ship"
    return {
        "order_id": order["id"],
        "amount": money(int(detail.get("amount", order["totals"]["total"])), currency_of(order)),
        "ship_by": locale.date(order["estimated_ship_by"]),
        "next_step": step,
        "next_step_sms": step,
    }


def payment_failed(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    return {
        "order_id": order["id"],
        "due": detail.get("payment_due_at") or order["payment_due_at"],
        "total": money(order["totals"]["total"], currency_of(order)),
    }


def order_shipped(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    state = "complete" if detail.get("complete", True) else "partial"
    state = "reship" if detail.get("reship") else state
    return {
        "order_id": order["id"],
        "carrier": carriers.display_name(str(detail.get("carrier", "")), locale.name),
        "number": detail.get("tracking_number", ""),
        "deliver_by": locale.date(order["estimated_delivery_by"]),
        "heading": state,
        "what": state,
    }


def order_delivered(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    confirm_by = order.get("due_at") if order.get("timer_kind") == "auto_confirm" else None
    return {
        "order_id": order["id"],
        "auto_confirm": "on" if confirm_by else "off",
        "confirm_by": locale.date(confirm_by) if confirm_by else "",
    }


# Exceptions whose notice tells the buyer something of their own (the rest: we are on it).
OWN_ACTION_KINDS = frozenset({"address_incomplete", instant_refund.DISPUTE_KIND})


def order_exception(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    kind = str(detail.get("kind", ""))
    entry: Mapping[str, Any] = next(
        (e for e in order.get("exceptions", []) if e.get("id") == detail.get("exception_id")), {}
    )
    deadline = entry.get("deadline")
    return {
        "order_id": order["id"],
        "what": locale.word("exception_kind", kind),
        "action": kind if kind in OWN_ACTION_KINDS else "other",
        "by": "deadline" if deadline else "none",
        "deadline": locale.date(deadline) if deadline else "",
    }


def order_cancelled(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    reason = str(detail.get("reason", ""))
    why = locale.word("cancel_reason", "review_rejected" if reason.startswith("review_rejected") else reason)
    refund = int(order.get("refundable", 0) or 0) + int(order.get("refunded", 0) or 0) > 0
    kept = int(order.get("deposit_kept", 0) or 0)
    return {
        "order_id": order["id"],
        "why": why,
        "because": "given" if why else "none",
        "refund": "kept" if kept else "yes" if refund else "no",
        "kept": money(kept, currency_of(order)),
    }


def deposit_paid(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    return {
        "order_id": order["id"],
        "amount": money(int(detail.get("amount", 0)), currency_of(order)),
        "balance": money(int(detail.get("balance", 0)), currency_of(order)),
        "opens": locale.date(str(detail.get("balance_opens_at", ""))),
        "closes": locale.date(str(detail.get("balance_closes_at", ""))),
        "kept": "refunded"
        if (order.get("payment_plan") or {}).get("deposit_refunded_if_balance_unpaid")
        else "kept",
    }


def presale_balance_due(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    stage = "closing" if detail.get("stage") == "closing" else "open"
    return {
        "order_id": order["id"],
        "stage": stage,
        "headline": stage,
        "balance": money(int(detail.get("balance", 0)), currency_of(order)),
        "closes": locale.date(str(detail.get("balance_closes_at", ""))),
    }


_EDIT_WORDING = {  # state -> (what happened to the order, what happens to the money)
    "applied": ("changed", "refund"),
    "awaiting_balance": ("waiting", "balance"),
    "balance_paid": ("changed", "paid"),
    "lapsed": ("lapsed", "none"),
}


def order_edited(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    state = str(detail.get("state", "applied"))
    what, money_word = _EDIT_WORDING.get(state, ("changed", "none"))
    difference = int(detail.get("difference", 0))
    if money_word == "refund" and (difference >= 0 or not int(order.get("captured", 0) or 0)):
        money_word = "none"  # nothing to give back: a higher total, or an order not paid yet
    due = detail.get("balance_due_at")
    return {
        "order_id": order["id"],
        "what": what,
        "headline": what,
        "money": money_word,
        "total": money(int(detail.get("total", 0)), currency_of(order)),
        "amount": money(abs(difference), currency_of(order)),
        "due": locale.date(str(due)) if due else "",
    }


def refund_issued(order: Order, detail: Facts, locale: Locale) -> dict[str, Any]:
    return {"order_id": order["id"], "amount": money(int(detail.get("amount", 0)), currency_of(order))}


RENDERERS: dict[str, Renderer] = {
    "OrderPlaced": renderer(order_confirmation),
    "OrderPaid": renderer(order_paid),
    "PaymentFailed": renderer(payment_failed),
    "OrderShipped": renderer(order_shipped),
    "OrderDelivered": renderer(order_delivered),
    "OrderException": renderer(order_exception),
    "OrderCancelled": renderer(order_cancelled),
    "OrderEdited": renderer(order_edited),
    "DepositPaid": renderer(deposit_paid),
    "PresaleBalanceDue": renderer(presale_balance_due),
    "RefundIssued": renderer(refund_issued),
}
