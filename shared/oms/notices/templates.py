"""Notice templates, in Chinese and English. Rendering is pure: an order and a locale in, text out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oms import clock

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


def order_confirmation(order: dict[str, Any], locale: str) -> Notice:
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


RENDERERS = {"OrderPlaced": order_confirmation}
