"""Notice templates, in Chinese and English. Rendering is pure: an order and a locale in, text out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from oms import clock
from oms.domain import carriers

PAYMENT_METHODS = {
    "zh-CN": {"alipay": "支付宝", "wechat_pay": "微信支付", "card": "银行卡", "balance": "余额"},
    "en": {"alipay": "Alipay", "wechat_pay": "WeChat Pay", "card": "Card", "balance": "Balance"},
}
SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "JPY": "¥", "HKD": "HK$"}


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    sms: str


def money(amount: int, currency: str) -> str:
    symbol = SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{amount // 100}.{amount % 100:02d}"


def _date(text: str, locale: str) -> str:
    moment = clock.parse(text)
    return (
        f"{moment.year}年{moment.month}月{moment.day}日" if locale == "zh-CN" else moment.strftime("%d %b %Y")
    )


def _address(a: dict[str, Any], locale: str) -> str:
    if locale == "zh-CN":
        return f"{a['recipient']} {a['phone']} {a['region']}{a['city']}{a['line1']}{a.get('line2') or ''} {a['postal_code']}"
    parts = [
        a["recipient"],
        a["line1"],
        a.get("line2"),
        a["city"],
        a["region"],
        a["postal_code"],
        a["country"],
        a["phone"],
    ]
    return ", ".join(p for p in parts if p)


def order_confirmation(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    """The specification's confirmation notice: number, items, quantities, unit prices, total, payment,
    address, estimated ship and delivery dates."""
    currency = order["totals"]["currency"]
    totals = order["totals"]
    method = PAYMENT_METHODS.get(locale, PAYMENT_METHODS["en"]).get(
        order["payment_method"], order["payment_method"]
    )
    ship_by = _date(order["estimated_ship_by"], locale)
    deliver_by = _date(order["estimated_delivery_by"], locale)
    if locale == "zh-CN":
        lines = [
            f"  {line['name']} × {line['quantity']}  单价 {money(line['unit_price'], currency)}"
            for line in order["lines"]
        ]
        body = "\n".join(
            [
                f"您的订单 {order['id']} 已提交。",
                "商品明细：",
                *lines,
                f"商品金额：{money(totals['subtotal'], currency)}  优惠：-{money(totals['discount'], currency)}  "
                f"运费：{money(totals['shipping_fee'], currency)}",
                f"应付总额：{money(totals['total'], currency)}",
                f"支付方式：{method}（请在 {order['payment_due_at']} 前完成支付）",
                f"收货地址：{_address(order['shipping_address'], locale)}",
                f"预计发货：{ship_by}；预计送达：{deliver_by}",
            ]
        )
        return Notice(
            subject=f"订单确认 {order['id']}",
            body=body,
            sms=f"【商城】订单{order['id']}已提交，应付{money(totals['total'], currency)}，预计{deliver_by}前送达。",
        )
    lines = [
        f"  {line['name']} x {line['quantity']}  at {money(line['unit_price'], currency)}"
        for line in order["lines"]
    ]
    body = "\n".join(
        [
            f"Thank you: order {order['id']} has been placed.",
            "Items:",
            *lines,
            f"Subtotal: {money(totals['subtotal'], currency)}  Discount: -{money(totals['discount'], currency)}  "
            f"Shipping: {money(totals['shipping_fee'], currency)}",
            f"Total: {money(totals['total'], currency)}",
            f"Payment: {method} (please pay by {order['payment_due_at']})",
            f"Ship to: {_address(order['shipping_address'], locale)}",
            f"Estimated dispatch: {ship_by}; estimated delivery: {deliver_by}",
        ]
    )
    return Notice(
        subject=f"Order confirmation {order['id']}",
        body=body,
        sms=f"Order {order['id']} placed, total {money(totals['total'], currency)}, delivery by {deliver_by}.",
    )


EXCEPTION_KINDS = {
    "zh-CN": {
        "delayed": "配送延误",
        "damaged": "包裹破损",
        "lost": "包裹丢失",
        "refused": "包裹被拒收或退回",
        "address_incomplete": "收货地址不完整",
        "payment_failed": "支付失败",
        "payment_mismatch": "支付金额与订单不符",
        "wrong_item": "商品错发",
        "missing_item": "商品漏发",
    },
    "en": {
        "delayed": "a delivery delay",
        "damaged": "a damaged parcel",
        "lost": "a lost parcel",
        "refused": "a refused or returned parcel",
        "address_incomplete": "an incomplete shipping address",
        "payment_failed": "a failed payment",
        "payment_mismatch": "a payment that does not match the order",
        "wrong_item": "a wrong item sent",
        "missing_item": "an item missing from the parcel",
    },
}
CANCEL_REASONS = {
    "zh-CN": {"payment_timeout": "超时未支付", "customer_request": "您已申请取消", "staff": "客服已为您取消"},
    "en": {
        "payment_timeout": "it was not paid in time",
        "customer_request": "you asked us to",
        "staff": "our staff cancelled it",
    },
}


def is_chinese(locale: str) -> bool:
    return locale == "zh-CN"


def _carrier(code: str, locale: str) -> str:
    return carriers.display_name(code, locale)


def currency_of(order: Mapping[str, Any]) -> str:
    return str(order["totals"]["currency"])


def order_paid(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    amount = money(int((detail or {}).get("amount", order["totals"]["total"])), currency_of(order))
    review = bool((detail or {}).get("review"))
    ship_by = _date(order["estimated_ship_by"], locale)
    if is_chinese(locale):
        next_step = (
            "订单需人工审核，审核通过后立即安排发货。"
            if review
            else f"我们将尽快为您发货，预计 {ship_by} 前发出。"
        )
        return Notice(
            subject=f"付款成功 {order['id']}",
            body=f"已收到订单 {order['id']} 的付款 {amount}。{next_step}",
            sms=f"【商城】订单{order['id']}已付款{amount}。"
            + ("审核通过后发货。" if review else f"预计{ship_by}前发货。"),
        )
    next_en = (
        "It needs a quick check by our staff; it ships as soon as it is approved."
        if review
        else f"We will dispatch it by {ship_by}."
    )
    return Notice(
        subject=f"Payment received {order['id']}",
        body=f"We received {amount} for order {order['id']}. {next_en}",
        sms=f"Order {order['id']}: payment of {amount} received. "
        + ("Shipping after a check." if review else f"Ships by {ship_by}."),
    )


def payment_failed(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    due = (detail or {}).get("payment_due_at") or order["payment_due_at"]
    total = money(order["totals"]["total"], currency_of(order))
    if is_chinese(locale):
        return Notice(
            subject=f"支付未成功 {order['id']}",
            body=f"订单 {order['id']}（应付 {total}）支付未成功。请在 {due} 前重新支付，逾期订单将自动取消，库存不再为您保留。",
            sms=f"【商城】订单{order['id']}支付未成功，请在{due}前重新支付，逾期自动取消。",
        )
    return Notice(
        subject=f"Payment failed {order['id']}",
        body=f"The payment for order {order['id']} ({total}) did not go through. Please pay again by {due}; "
        "after that the order is cancelled and its items are released.",
        sms=f"Order {order['id']}: payment failed. Please pay again by {due} or it will be cancelled.",
    )


def order_shipped(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    facts = detail or {}
    carrier = _carrier(str(facts.get("carrier", "")), locale)
    number = facts.get("tracking_number", "")
    reship, complete = bool(facts.get("reship")), bool(facts.get("complete", True))
    deliver_by = _date(order["estimated_delivery_by"], locale)
    if is_chinese(locale):
        what = (
            "补发的商品已发出" if reship else ("已发货" if complete else "部分商品已发货，其余商品将尽快发出")
        )
        return Notice(
            subject=f"订单{'补发' if reship else '发货'}通知 {order['id']}",
            body=f"您的订单 {order['id']} {what}。承运商：{carrier}，运单号：{number}。"
            f"您可在订单详情中实时查看物流，预计 {deliver_by} 前送达。",
            sms=f"【商城】订单{order['id']}{what}，{carrier} {number}。",
        )
    what_en = (
        "a replacement has been sent"
        if reship
        else ("has shipped" if complete else "has partly shipped; the rest follows soon")
    )
    return Notice(
        subject=f"Order {'replacement' if reship else 'shipped'} {order['id']}",
        body=f"Order {order['id']}: {what_en}. Carrier: {carrier}, tracking number {number}. "
        f"Follow it on the order page; expected by {deliver_by}.",
        sms=f"Order {order['id']} {what_en}: {carrier} {number}.",
    )


def order_delivered(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    confirm_by = order.get("due_at") if order.get("timer_kind") == "auto_confirm" else None
    if is_chinese(locale):
        tail = f"如无异议，系统将于 {_date(confirm_by, locale)} 自动确认收货；" if confirm_by else ""
        return Notice(
            subject=f"订单已送达 {order['id']}",
            body=f"您的订单 {order['id']} 已送达。{tail}如商品有问题，请在订单页申请售后，我们会尽快处理。",
            sms=f"【商城】订单{order['id']}已送达，如有问题请在订单页申请售后。",
        )
    tail_en = (
        f" Unless you tell us otherwise, receipt is confirmed automatically on {_date(confirm_by, locale)}."
        if confirm_by
        else ""
    )
    return Notice(
        subject=f"Order delivered {order['id']}",
        body=f"Order {order['id']} has been delivered.{tail_en} If anything is wrong, ask for after-sales help on the order page.",
        sms=f"Order {order['id']} delivered. Anything wrong? Tell us on the order page.",
    )


def order_exception(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    facts = detail or {}
    kind = str(facts.get("kind", ""))
    entry: Mapping[str, Any] = next(
        (e for e in order.get("exceptions", []) if e.get("id") == facts.get("exception_id")), {}
    )
    deadline = entry.get("deadline")
    what = EXCEPTION_KINDS.get(locale, EXCEPTION_KINDS["en"]).get(kind, kind)
    if is_chinese(locale):
        if kind == "address_incomplete":
            action = "请在订单页补全收货地址，地址确认后我们会立即安排发货。"
        else:
            by = f"，并在 {_date(deadline, locale)} 前" if deadline else "，并尽快"
            action = (
                f"平台已主动介入处理{by}与您联系，给出补发、退款或补偿等解决方案，无需您自行联系物流公司。"
            )
        return Notice(
            subject=f"订单异常处理中 {order['id']}",
            body=f"您的订单 {order['id']} 出现{what}。{action}",
            sms=f"【商城】订单{order['id']}出现{what}，平台已介入处理，请留意后续通知。",
        )
    if kind == "address_incomplete":
        action_en = (
            "Please complete the shipping address on the order page; we ship as soon as it is confirmed."
        )
    else:
        by_en = f" by {_date(deadline, locale)}" if deadline else " shortly"
        action_en = (
            f"We have taken this on and will contact you{by_en} with a solution (reship, refund or compensation); "
            "there is no need to chase the carrier yourself."
        )
    return Notice(
        subject=f"We are looking into order {order['id']}",
        body=f"Order {order['id']} ran into {what}. {action_en}",
        sms=f"Order {order['id']}: {what}. We are on it and will update you.",
    )


def order_cancelled(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    reason = str((detail or {}).get("reason", ""))
    refund = int(order.get("refundable", 0) or 0) + int(order.get("refunded", 0) or 0) > 0
    if is_chinese(locale):
        why = CANCEL_REASONS["zh-CN"].get(
            reason, "审核未通过" if reason.startswith("review_rejected") else ""
        )
        tail = "已付款项将原路退回。" if refund else ""
        return Notice(
            subject=f"订单已取消 {order['id']}",
            body=f"您的订单 {order['id']} 已取消{f'（{why}）' if why else ''}。{tail}",
            sms=f"【商城】订单{order['id']}已取消。{tail}",
        )
    why_en = CANCEL_REASONS["en"].get(
        reason, "it did not pass our review" if reason.startswith("review_rejected") else ""
    )
    tail_en = " Any payment is refunded to where it came from." if refund else ""
    return Notice(
        subject=f"Order cancelled {order['id']}",
        body=f"Order {order['id']} has been cancelled{f' because {why_en}' if why_en else ''}.{tail_en}",
        sms=f"Order {order['id']} cancelled.{tail_en}",
    )


def refund_issued(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    amount = money(int((detail or {}).get("amount", 0)), currency_of(order))
    if is_chinese(locale):
        return Notice(
            subject=f"退款已完成 {order['id']}",
            body=f"订单 {order['id']} 的退款 {amount} 已原路退回，到账时间以支付渠道为准（通常 1-7 个工作日）。",
            sms=f"【商城】订单{order['id']}退款{amount}已原路退回。",
        )
    return Notice(
        subject=f"Refund issued {order['id']}",
        body=f"A refund of {amount} for order {order['id']} has been sent back to your original payment method; "
        "it usually arrives within 1-7 business days.",
        sms=f"Order {order['id']}: refund of {amount} issued.",
    )


Renderer = Callable[[dict[str, Any], str, Mapping[str, Any] | None], Notice]
RENDERERS: dict[str, Renderer] = {
    "OrderPlaced": order_confirmation,
    "OrderPaid": order_paid,
    "PaymentFailed": payment_failed,
    "OrderShipped": order_shipped,
    "OrderDelivered": order_delivered,
    "OrderException": order_exception,
    "OrderCancelled": order_cancelled,
    "RefundIssued": refund_issued,
}
