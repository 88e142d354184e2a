"""Notices about returns ("退货申请审核" asks to keep the buyer informed at each step), zh-CN and en."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms.notices.templates import Notice, Renderer, currency_of, is_chinese, money


def _return(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict((detail or {}).get("return") or {})


def return_approved(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    item = _return(detail)
    steps = item.get("instructions", {})
    insure_zh = "建议保价寄送。" if steps.get("insurance_advised") else ""
    insure_en = " We advise insured shipping." if steps.get("insurance_advised") else ""
    if is_chinese(locale):
        return Notice(
            subject=f"退货申请已通过 {item.get('id', '')}",
            body=(
                f"订单 {order['id']} 的退货申请已通过。请在 {steps.get('ship_within_days', 7)} 天内寄回：\n"
                f"退货地址：{steps.get('return_address', '')}\n包装要求：{steps.get('packing', '')}\n"
                f"推荐物流：{steps.get('recommended_carrier', '')}。{insure_zh}"
            ),
            sms=f"【商城】退货申请已通过，请于{steps.get('ship_within_days', 7)}天内寄回。",
        )
    return Notice(
        subject=f"Return approved {item.get('id', '')}",
        body=(
            f"Your return for order {order['id']} is approved. Please send it within "
            f"{steps.get('ship_within_days', 7)} days to: {steps.get('return_address', '')}\n"
            f"Packing: {steps.get('packing', '')}\nRecommended carrier: {steps.get('recommended_carrier', '')}.{insure_en}"
        ),
        sms="Your return is approved; please send it back within the time given.",
    )


def return_rejected(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    item = _return(detail)
    decision = item.get("decision", {})
    offer = decision.get("alternative", "")
    amount = decision.get("partial_refund_amount")
    if is_chinese(locale):
        names = {"exchange": "换货", "repair": "维修", "partial_refund": "部分退款"}
        extra = f"（{money(int(amount), currency_of(order))}）" if amount else ""
        return Notice(
            subject=f"退货申请未通过 {item.get('id', '')}",
            body=f"很抱歉，订单 {order['id']} 的退货申请未通过：{decision.get('reason', '')}。我们可以为您提供{names.get(offer, offer)}{extra}，请在退货详情中选择。",
            sms=f"【商城】退货申请未通过，可选择{names.get(offer, offer)}。",
        )
    extra_en = f" of {money(int(amount), currency_of(order))}" if amount else ""
    return Notice(
        subject=f"Return not accepted {item.get('id', '')}",
        body=f"Your return for order {order['id']} was not accepted: {decision.get('reason', '')}. We can offer a {offer.replace('_', ' ')}{extra_en} instead; choose it on the return.",
        sms=f"Your return was not accepted; a {offer.replace('_', ' ')} is offered instead.",
    )


def return_disputed(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    if is_chinese(locale):
        return Notice(
            subject=f"退货检验有异议 {order['id']}",
            body=f"订单 {order['id']} 寄回的商品与原订单不符或数量不足，相应部分的退款暂缓，客服将与您联系。",
            sms="【商城】退货检验有异议，部分退款暂缓，客服将与您联系。",
        )
    return Notice(
        subject=f"Return inspection: a question {order['id']}",
        body=f"What came back for order {order['id']} is not the original item or not all of it; that part of the refund is held and our staff will contact you.",
        sms="Part of your return did not pass inspection; that refund is held and we will contact you.",
    )


def return_lapsed(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    if is_chinese(locale):
        return Notice(
            subject=f"退货已失效 {order['id']}",
            body=f"订单 {order['id']} 的退货未在规定时间内寄出，已失效。",
            sms="【商城】退货未按时寄出，已失效。",
        )
    return Notice(
        subject=f"Return lapsed {order['id']}",
        body=f"The return for order {order['id']} was not sent in time and has lapsed.",
        sms="Your return was not sent in time and has lapsed.",
    )


def return_message(order: dict[str, Any], locale: str, detail: Mapping[str, Any] | None = None) -> Notice:
    if is_chinese(locale):
        return Notice(
            subject=f"客服回复了您的退货 {order['id']}",
            body="客服在您的退货中留言，请查看退货详情。",
            sms="【商城】客服回复了您的退货。",
        )
    return Notice(
        subject=f"A reply on your return {order['id']}",
        body="Our staff replied on your return; see the return for the message.",
        sms="Our staff replied on your return.",
    )


RETURN_RENDERERS: dict[str, Renderer] = {
    "ReturnApproved": return_approved,
    "ReturnRejected": return_rejected,
    "ReturnDisputed": return_disputed,
    "ReturnLapsed": return_lapsed,
    "ReturnMessage": return_message,
}
