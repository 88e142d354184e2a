"""Every notice, in every locale, exactly as buyers read it (recorded from the per-function templates)."""

from __future__ import annotations

from typing import Any

import pytest
from oms.notices.locale import Notice
from oms.notices.rendering import Renderer
from oms.notices.return_templates import RETURN_RENDERERS
from oms.notices.templates import RENDERERS

RENDER: dict[str, Renderer] = {**RENDERERS, **RETURN_RENDERERS}

ORDER: dict[str, Any] = {
    "id": "ORD-1001",
    "customer_id": "C-1",
    "totals": {"currency": "CNY", "subtotal": 25800, "discount": 1000, "shipping_fee": 800, "total": 25600},
    "payment_method": "alipay",
    "payment_due_at": "2026-03-01T10:30:00Z",
    "estimated_ship_by": "2026-03-03T12:00:00Z",
    "estimated_delivery_by": "2026-03-06T12:00:00Z",
    "lines": [
        {"name": "茶杯 Tea cup", "quantity": 2, "unit_price": 9900},
        {"name": "Mug {large}", "quantity": 1, "unit_price": 6005},
    ],
    "shipping_address": {
        "recipient": "王小明",
        "phone": "138 0000 0000",
        "region": "浙江省",
        "city": "杭州市",
        "line1": "西湖区文三路 1 号",
        "line2": "3 单元",
        "postal_code": "310000",
        "country": "CN",
    },
    "exceptions": [{"id": "EX-1", "deadline": "2026-03-08T09:00:00Z"}, {"id": "EX-2"}],
}
OTHER_ORDER: dict[str, Any] = {
    **ORDER,
    "totals": {"currency": "GBP", "subtotal": 1999, "discount": 0, "shipping_fee": 0, "total": 1999},
    "payment_method": "paypal",
    "shipping_address": {**ORDER["shipping_address"], "line2": None},
}
INSTRUCTIONS = {
    "ship_within_days": 5,
    "return_address": "杭州市余杭区仓前街道 8 号 退货仓",
    "packing": "原包装，附退货单号",
    "recommended_carrier": "顺丰速运",
    "insurance_advised": True,
}

# name -> (event, order, detail)
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any] | None]] = {
    "placed": ("OrderPlaced", ORDER, None),
    "placed_other_currency": ("OrderPlaced", OTHER_ORDER, {}),
    "paid": ("OrderPaid", ORDER, {"amount": 25600}),
    "paid_review": ("OrderPaid", OTHER_ORDER, {"review": True}),
    "paid_no_detail": ("OrderPaid", ORDER, None),
    "payment_failed": ("PaymentFailed", ORDER, {"payment_due_at": "2026-03-02T10:30:00Z"}),
    "payment_failed_no_detail": ("PaymentFailed", ORDER, None),
    "shipped": ("OrderShipped", ORDER, {"carrier": "sf", "tracking_number": "SF1234567890"}),
    "shipped_partly": (
        "OrderShipped",
        ORDER,
        {"carrier": "zto", "tracking_number": "ZT9", "complete": False},
    ),
    "shipped_reship": ("OrderShipped", ORDER, {"carrier": "dhl", "tracking_number": "D-1", "reship": True}),
    "shipped_no_detail": ("OrderShipped", ORDER, None),
    "delivered": ("OrderDelivered", ORDER, None),
    "delivered_auto_confirm": (
        "OrderDelivered",
        {**ORDER, "timer_kind": "auto_confirm", "due_at": "2026-03-13T00:00:00Z"},
        {},
    ),
    "delivered_other_timer": (
        "OrderDelivered",
        {**ORDER, "timer_kind": "sla", "due_at": "2026-03-13T00:00:00Z"},
        {},
    ),
    "exception_address": ("OrderException", ORDER, {"kind": "address_incomplete", "exception_id": "EX-2"}),
    "exception_deadline": ("OrderException", ORDER, {"kind": "damaged", "exception_id": "EX-1"}),
    "exception_no_deadline": ("OrderException", ORDER, {"kind": "lost", "exception_id": "EX-2"}),
    "exception_unknown_kind": ("OrderException", ORDER, {"kind": "customs_hold"}),
    "exception_no_detail": ("OrderException", ORDER, None),
    "cancelled_timeout": ("OrderCancelled", ORDER, {"reason": "payment_timeout"}),
    "cancelled_review_refund": (
        "OrderCancelled",
        {**ORDER, "refundable": 25600, "refunded": None},
        {"reason": "review_rejected:risk"},
    ),
    "cancelled_staff_refunded": ("OrderCancelled", {**ORDER, "refunded": 100}, {"reason": "staff"}),
    "cancelled_unknown": ("OrderCancelled", ORDER, {"reason": "other"}),
    "cancelled_no_detail": ("OrderCancelled", ORDER, None),
    "edited_refund": (
        "OrderEdited",
        {**ORDER, "captured": 25600},
        {"edit_id": "E-1", "state": "applied", "total": 15700, "difference": -9900},
    ),
    "edited_unpaid": (
        "OrderEdited",
        ORDER,
        {"edit_id": "E-2", "state": "applied", "total": 35500, "difference": 9900},
    ),
    "edited_balance_due": (
        "OrderEdited",
        {**ORDER, "captured": 25600},
        {
            "edit_id": "E-3",
            "state": "awaiting_balance",
            "total": 31605,
            "difference": 6005,
            "balance_due_at": "2026-03-02T08:00:00Z",
        },
    ),
    "edited_balance_paid": (
        "OrderEdited",
        {**ORDER, "captured": 31605},
        {"edit_id": "E-3", "state": "balance_paid", "total": 31605, "difference": 6005},
    ),
    "edited_lapsed": (
        "OrderEdited",
        {**ORDER, "captured": 25600},
        {"edit_id": "E-3", "state": "lapsed", "total": 31605, "difference": 6005},
    ),
    "deposit_paid": (
        "DepositPaid",
        {**ORDER, "payment_plan": {"deposit": 5000, "balance": 20600}},
        {
            "amount": 5000,
            "balance": 20600,
            "balance_opens_at": "2026-03-10T00:00:00Z",
            "balance_closes_at": "2026-03-12T00:00:00Z",
        },
    ),
    "balance_open": (
        "PresaleBalanceDue",
        ORDER,
        {"stage": "open", "balance": 20600, "balance_closes_at": "2026-03-12T00:00:00Z"},
    ),
    "balance_closing": (
        "PresaleBalanceDue",
        ORDER,
        {"stage": "closing", "balance": 20600, "balance_closes_at": "2026-03-12T00:00:00Z"},
    ),
    "cancelled_balance_unpaid": (
        "OrderCancelled",
        {**ORDER, "deposit_kept": 5000, "refundable": 0},
        {"reason": "balance_unpaid"},
    ),
    "refund": ("RefundIssued", ORDER, {"amount": 12345}),
    "refund_no_detail": ("RefundIssued", OTHER_ORDER, None),
    "return_approved": ("ReturnApproved", ORDER, {"return": {"id": "RET-1", "instructions": INSTRUCTIONS}}),
    "return_approved_uninsured": (
        "ReturnApproved",
        ORDER,
        {"return": {"id": "RET-2", "instructions": {**INSTRUCTIONS, "insurance_advised": False}}},
    ),
    "return_approved_no_detail": ("ReturnApproved", ORDER, None),
    "return_rejected_partial": (
        "ReturnRejected",
        ORDER,
        {
            "return": {
                "id": "RET-3",
                "decision": {
                    "reason": "超过退货期限",
                    "alternative": "partial_refund",
                    "partial_refund_amount": 3000,
                },
            }
        },
    ),
    "return_rejected_exchange": (
        "ReturnRejected",
        ORDER,
        {"return": {"id": "RET-4", "decision": {"reason": "worn", "alternative": "exchange"}}},
    ),
    "return_rejected_unknown_offer": (
        "ReturnRejected",
        OTHER_ORDER,
        {"return": {"id": "RET-5", "decision": {"reason": "x", "alternative": "store_credit"}}},
    ),
    "return_rejected_no_detail": ("ReturnRejected", ORDER, {"return": None}),
    "return_disputed": ("ReturnDisputed", ORDER, {}),
    "return_lapsed": ("ReturnLapsed", ORDER, None),
    "return_message": ("ReturnMessage", ORDER, None),
    "return_intercepting": ("ReturnIntercepting", ORDER, None),
    "return_interception_failed": ("ReturnInterceptionFailed", ORDER, None),
    "exchange_approved_pay": (
        "ExchangeUpdated",
        ORDER,
        {
            "state": "approved",
            "difference": 2000,
            "replacement_order_id": "ORD-2002",
            "ships": "at_first_scan",
            "payment_due_at": "2026-03-09T10:30:00Z",
        },
    ),
    "exchange_approved_trusted_pays": (
        "ExchangeUpdated",
        ORDER,
        {
            "state": "approved",
            "difference": 500,
            "replacement_order_id": "ORD-2002",
            "ships": "at_approval",
            "payment_due_at": "2026-03-09T10:30:00Z",
        },
    ),
    "exchange_approved_refund": (
        "ExchangeUpdated",
        ORDER,
        {
            "state": "approved",
            "difference": -1500,
            "replacement_order_id": "ORD-2002",
            "ships": "at_approval",
        },
    ),
    "exchange_released": (
        "ExchangeUpdated",
        ORDER,
        {"state": "released", "difference": 0, "replacement_order_id": "ORD-2002"},
    ),
    "exchange_cancelled": (
        "ExchangeUpdated",
        ORDER,
        {"state": "cancelled", "difference": 2000, "replacement_order_id": "ORD-2002"},
    ),
}

EXPECTED: dict[tuple[str, str], tuple[str, str, str]] = {
    ("placed", "zh-CN"): (
        "订单确认 ORD-1001",
        "您的订单 ORD-1001 已提交。\n商品明细：\n  茶杯 Tea cup × 2  单价 ¥99.00\n  Mug {large} × 1  单价 ¥60.05\n商品金额：¥258.00  优惠：-¥10.00  运费：¥8.00\n应付总额：¥256.00\n支付方式：支付宝（请在 2026-03-01T10:30:00Z 前完成支付）\n收货地址：王小明 138 0000 0000 浙江省杭州市西湖区文三路 1 号3 单元 310000\n预计发货：2026年3月3日；预计送达：2026年3月6日",
        "【商城】订单ORD-1001已提交，应付¥256.00，预计2026年3月6日前送达。",
    ),
    ("placed", "en"): (
        "Order confirmation ORD-1001",
        "Thank you: order ORD-1001 has been placed.\nItems:\n  茶杯 Tea cup x 2  at ¥99.00\n  Mug {large} x 1  at ¥60.05\nSubtotal: ¥258.00  Discount: -¥10.00  Shipping: ¥8.00\nTotal: ¥256.00\nPayment: Alipay (please pay by 2026-03-01T10:30:00Z)\nShip to: 王小明, 西湖区文三路 1 号, 3 单元, 杭州市, 浙江省, 310000, CN, 138 0000 0000\nEstimated dispatch: 03 Mar 2026; estimated delivery: 06 Mar 2026",
        "Order ORD-1001 placed, total ¥256.00, delivery by 06 Mar 2026.",
    ),
    ("placed_other_currency", "zh-CN"): (
        "订单确认 ORD-1001",
        "您的订单 ORD-1001 已提交。\n商品明细：\n  茶杯 Tea cup × 2  单价 GBP 99.00\n  Mug {large} × 1  单价 GBP 60.05\n商品金额：GBP 19.99  优惠：-GBP 0.00  运费：GBP 0.00\n应付总额：GBP 19.99\n支付方式：paypal（请在 2026-03-01T10:30:00Z 前完成支付）\n收货地址：王小明 138 0000 0000 浙江省杭州市西湖区文三路 1 号 310000\n预计发货：2026年3月3日；预计送达：2026年3月6日",
        "【商城】订单ORD-1001已提交，应付GBP 19.99，预计2026年3月6日前送达。",
    ),
    ("placed_other_currency", "en"): (
        "Order confirmation ORD-1001",
        "Thank you: order ORD-1001 has been placed.\nItems:\n  茶杯 Tea cup x 2  at GBP 99.00\n  Mug {large} x 1  at GBP 60.05\nSubtotal: GBP 19.99  Discount: -GBP 0.00  Shipping: GBP 0.00\nTotal: GBP 19.99\nPayment: paypal (please pay by 2026-03-01T10:30:00Z)\nShip to: 王小明, 西湖区文三路 1 号, 杭州市, 浙江省, 310000, CN, 138 0000 0000\nEstimated dispatch: 03 Mar 2026; estimated delivery: 06 Mar 2026",
        "Order ORD-1001 placed, total GBP 19.99, delivery by 06 Mar 2026.",
    ),
    ("paid", "zh-CN"): (
        "付款成功 ORD-1001",
        "已收到订单 ORD-1001 的付款 ¥256.00。我们将尽快为您发货，预计 2026年3月3日 前发出。",
        "【商城】订单ORD-1001已付款¥256.00。预计2026年3月3日前发货。",
    ),
    ("paid", "en"): (
        "Payment received ORD-1001",
        "We received ¥256.00 for order ORD-1001. We will dispatch it by 03 Mar 2026.",
        "Order ORD-1001: payment of ¥256.00 received. Ships by 03 Mar 2026.",
    ),
    ("paid_review", "zh-CN"): (
        "付款成功 ORD-1001",
        "已收到订单 ORD-1001 的付款 GBP 19.99。订单需人工审核，审核通过后立即安排发货。",
        "【商城】订单ORD-1001已付款GBP 19.99。审核通过后发货。",
    ),
    ("paid_review", "en"): (
        "Payment received ORD-1001",
        "We received GBP 19.99 for order ORD-1001. It needs a quick check by our staff; it ships as soon as it is approved.",
        "Order ORD-1001: payment of GBP 19.99 received. Shipping after a check.",
    ),
    ("paid_no_detail", "zh-CN"): (
        "付款成功 ORD-1001",
        "已收到订单 ORD-1001 的付款 ¥256.00。我们将尽快为您发货，预计 2026年3月3日 前发出。",
        "【商城】订单ORD-1001已付款¥256.00。预计2026年3月3日前发货。",
    ),
    ("paid_no_detail", "en"): (
        "Payment received ORD-1001",
        "We received ¥256.00 for order ORD-1001. We will dispatch it by 03 Mar 2026.",
        "Order ORD-1001: payment of ¥256.00 received. Ships by 03 Mar 2026.",
    ),
    ("payment_failed", "zh-CN"): (
        "支付未成功 ORD-1001",
        "订单 ORD-1001（应付 ¥256.00）支付未成功。请在 2026-03-02T10:30:00Z 前重新支付，逾期订单将自动取消，库存不再为您保留。",
        "【商城】订单ORD-1001支付未成功，请在2026-03-02T10:30:00Z前重新支付，逾期自动取消。",
    ),
    ("payment_failed", "en"): (
        "Payment failed ORD-1001",
        "The payment for order ORD-1001 (¥256.00) did not go through. Please pay again by 2026-03-02T10:30:00Z; after that the order is cancelled and its items are released.",
        "Order ORD-1001: payment failed. Please pay again by 2026-03-02T10:30:00Z or it will be cancelled.",
    ),
    ("payment_failed_no_detail", "zh-CN"): (
        "支付未成功 ORD-1001",
        "订单 ORD-1001（应付 ¥256.00）支付未成功。请在 2026-03-01T10:30:00Z 前重新支付，逾期订单将自动取消，库存不再为您保留。",
        "【商城】订单ORD-1001支付未成功，请在2026-03-01T10:30:00Z前重新支付，逾期自动取消。",
    ),
    ("payment_failed_no_detail", "en"): (
        "Payment failed ORD-1001",
        "The payment for order ORD-1001 (¥256.00) did not go through. Please pay again by 2026-03-01T10:30:00Z; after that the order is cancelled and its items are released.",
        "Order ORD-1001: payment failed. Please pay again by 2026-03-01T10:30:00Z or it will be cancelled.",
    ),
    ("shipped", "zh-CN"): (
        "订单发货通知 ORD-1001",
        "您的订单 ORD-1001 已发货。承运商：顺丰速运，运单号：SF1234567890。您可在订单详情中实时查看物流，预计 2026年3月6日 前送达。",
        "【商城】订单ORD-1001已发货，顺丰速运 SF1234567890。",
    ),
    ("shipped", "en"): (
        "Order shipped ORD-1001",
        "Order ORD-1001: has shipped. Carrier: SF Express, tracking number SF1234567890. Follow it on the order page; expected by 06 Mar 2026.",
        "Order ORD-1001 has shipped: SF Express SF1234567890.",
    ),
    ("shipped_partly", "zh-CN"): (
        "订单发货通知 ORD-1001",
        "您的订单 ORD-1001 部分商品已发货，其余商品将尽快发出。承运商：中通快递，运单号：ZT9。您可在订单详情中实时查看物流，预计 2026年3月6日 前送达。",
        "【商城】订单ORD-1001部分商品已发货，其余商品将尽快发出，中通快递 ZT9。",
    ),
    ("shipped_partly", "en"): (
        "Order shipped ORD-1001",
        "Order ORD-1001: has partly shipped; the rest follows soon. Carrier: ZTO Express, tracking number ZT9. Follow it on the order page; expected by 06 Mar 2026.",
        "Order ORD-1001 has partly shipped; the rest follows soon: ZTO Express ZT9.",
    ),
    ("shipped_reship", "zh-CN"): (
        "订单补发通知 ORD-1001",
        "您的订单 ORD-1001 补发的商品已发出。承运商：DHL，运单号：D-1。您可在订单详情中实时查看物流，预计 2026年3月6日 前送达。",
        "【商城】订单ORD-1001补发的商品已发出，DHL D-1。",
    ),
    ("shipped_reship", "en"): (
        "Order replacement ORD-1001",
        "Order ORD-1001: a replacement has been sent. Carrier: DHL, tracking number D-1. Follow it on the order page; expected by 06 Mar 2026.",
        "Order ORD-1001 a replacement has been sent: DHL D-1.",
    ),
    ("shipped_no_detail", "zh-CN"): (
        "订单发货通知 ORD-1001",
        "您的订单 ORD-1001 已发货。承运商：，运单号：。您可在订单详情中实时查看物流，预计 2026年3月6日 前送达。",
        "【商城】订单ORD-1001已发货， 。",
    ),
    ("shipped_no_detail", "en"): (
        "Order shipped ORD-1001",
        "Order ORD-1001: has shipped. Carrier: , tracking number . Follow it on the order page; expected by 06 Mar 2026.",
        "Order ORD-1001 has shipped:  .",
    ),
    ("delivered", "zh-CN"): (
        "订单已送达 ORD-1001",
        "您的订单 ORD-1001 已送达。如商品有问题，请在订单页申请售后，我们会尽快处理。",
        "【商城】订单ORD-1001已送达，如有问题请在订单页申请售后。",
    ),
    ("delivered", "en"): (
        "Order delivered ORD-1001",
        "Order ORD-1001 has been delivered. If anything is wrong, ask for after-sales help on the order page.",
        "Order ORD-1001 delivered. Anything wrong? Tell us on the order page.",
    ),
    ("delivered_auto_confirm", "zh-CN"): (
        "订单已送达 ORD-1001",
        "您的订单 ORD-1001 已送达。如无异议，系统将于 2026年3月13日 自动确认收货；如商品有问题，请在订单页申请售后，我们会尽快处理。",
        "【商城】订单ORD-1001已送达，如有问题请在订单页申请售后。",
    ),
    ("delivered_auto_confirm", "en"): (
        "Order delivered ORD-1001",
        "Order ORD-1001 has been delivered. Unless you tell us otherwise, receipt is confirmed automatically on 13 Mar 2026. If anything is wrong, ask for after-sales help on the order page.",
        "Order ORD-1001 delivered. Anything wrong? Tell us on the order page.",
    ),
    ("delivered_other_timer", "zh-CN"): (
        "订单已送达 ORD-1001",
        "您的订单 ORD-1001 已送达。如商品有问题，请在订单页申请售后，我们会尽快处理。",
        "【商城】订单ORD-1001已送达，如有问题请在订单页申请售后。",
    ),
    ("delivered_other_timer", "en"): (
        "Order delivered ORD-1001",
        "Order ORD-1001 has been delivered. If anything is wrong, ask for after-sales help on the order page.",
        "Order ORD-1001 delivered. Anything wrong? Tell us on the order page.",
    ),
    ("exception_address", "zh-CN"): (
        "订单异常处理中 ORD-1001",
        "您的订单 ORD-1001 出现收货地址不完整。请在订单页补全收货地址，地址确认后我们会立即安排发货。",
        "【商城】订单ORD-1001出现收货地址不完整，平台已介入处理，请留意后续通知。",
    ),
    ("exception_address", "en"): (
        "We are looking into order ORD-1001",
        "Order ORD-1001 ran into an incomplete shipping address. Please complete the shipping address on the order page; we ship as soon as it is confirmed.",
        "Order ORD-1001: an incomplete shipping address. We are on it and will update you.",
    ),
    ("exception_deadline", "zh-CN"): (
        "订单异常处理中 ORD-1001",
        "您的订单 ORD-1001 出现包裹破损。平台已主动介入处理，并在 2026年3月8日 前与您联系，给出补发、退款或补偿等解决方案，无需您自行联系物流公司。",
        "【商城】订单ORD-1001出现包裹破损，平台已介入处理，请留意后续通知。",
    ),
    ("exception_deadline", "en"): (
        "We are looking into order ORD-1001",
        "Order ORD-1001 ran into a damaged parcel. We have taken this on and will contact you by 08 Mar 2026 with a solution (reship, refund or compensation); there is no need to chase the carrier yourself.",
        "Order ORD-1001: a damaged parcel. We are on it and will update you.",
    ),
    ("exception_no_deadline", "zh-CN"): (
        "订单异常处理中 ORD-1001",
        "您的订单 ORD-1001 出现包裹丢失。平台已主动介入处理，并尽快与您联系，给出补发、退款或补偿等解决方案，无需您自行联系物流公司。",
        "【商城】订单ORD-1001出现包裹丢失，平台已介入处理，请留意后续通知。",
    ),
    ("exception_no_deadline", "en"): (
        "We are looking into order ORD-1001",
        "Order ORD-1001 ran into a lost parcel. We have taken this on and will contact you shortly with a solution (reship, refund or compensation); there is no need to chase the carrier yourself.",
        "Order ORD-1001: a lost parcel. We are on it and will update you.",
    ),
    ("exception_unknown_kind", "zh-CN"): (
        "订单异常处理中 ORD-1001",
        "您的订单 ORD-1001 出现customs_hold。平台已主动介入处理，并尽快与您联系，给出补发、退款或补偿等解决方案，无需您自行联系物流公司。",
        "【商城】订单ORD-1001出现customs_hold，平台已介入处理，请留意后续通知。",
    ),
    ("exception_unknown_kind", "en"): (
        "We are looking into order ORD-1001",
        "Order ORD-1001 ran into customs_hold. We have taken this on and will contact you shortly with a solution (reship, refund or compensation); there is no need to chase the carrier yourself.",
        "Order ORD-1001: customs_hold. We are on it and will update you.",
    ),
    ("exception_no_detail", "zh-CN"): (
        "订单异常处理中 ORD-1001",
        "您的订单 ORD-1001 出现。平台已主动介入处理，并尽快与您联系，给出补发、退款或补偿等解决方案，无需您自行联系物流公司。",
        "【商城】订单ORD-1001出现，平台已介入处理，请留意后续通知。",
    ),
    ("exception_no_detail", "en"): (
        "We are looking into order ORD-1001",
        "Order ORD-1001 ran into . We have taken this on and will contact you shortly with a solution (reship, refund or compensation); there is no need to chase the carrier yourself.",
        "Order ORD-1001: . We are on it and will update you.",
    ),
    ("cancelled_timeout", "zh-CN"): (
        "订单已取消 ORD-1001",
        "您的订单 ORD-1001 已取消（超时未支付）。",
        "【商城】订单ORD-1001已取消。",
    ),
    ("edited_refund", "zh-CN"): (
        "订单已修改 ORD-1001",
        "您的订单 ORD-1001 已修改，新的订单金额为¥157.00。差价¥99.00将原路退回。",
        "【商城】订单ORD-1001已修改，新的订单金额为¥157.00。差价¥99.00将原路退回。",
    ),
    ("edited_refund", "en"): (
        "Order changed ORD-1001",
        "Order ORD-1001 has been changed; the new total is ¥157.00. The difference of ¥99.00 is refunded to where it came from.",
        "Order ORD-1001 has been changed; the new total is ¥157.00. The difference of ¥99.00 is refunded to where it came from.",
    ),
    ("edited_unpaid", "zh-CN"): (
        "订单已修改 ORD-1001",
        "您的订单 ORD-1001 已修改，新的订单金额为¥355.00。",
        "【商城】订单ORD-1001已修改，新的订单金额为¥355.00。",
    ),
    ("edited_unpaid", "en"): (
        "Order changed ORD-1001",
        "Order ORD-1001 has been changed; the new total is ¥355.00.",
        "Order ORD-1001 has been changed; the new total is ¥355.00.",
    ),
    ("edited_balance_due", "zh-CN"): (
        "订单修改待补差价 ORD-1001",
        "您的订单 ORD-1001 将在补付差价后修改为¥316.05。请于2026年3月2日前补付差价¥60.05。",
        "【商城】订单ORD-1001将在补付差价后修改为¥316.05。请于2026年3月2日前补付差价¥60.05。",
    ),
    ("edited_balance_due", "en"): (
        "A difference to pay for order ORD-1001",
        "Order ORD-1001 will change to a total of ¥316.05 once the difference is paid. Please pay the difference of ¥60.05 by 02 Mar 2026.",
        "Order ORD-1001 will change to a total of ¥316.05 once the difference is paid. Please pay the difference of ¥60.05 by 02 Mar 2026.",
    ),
    ("edited_balance_paid", "zh-CN"): (
        "订单已修改 ORD-1001",
        "您的订单 ORD-1001 已修改，新的订单金额为¥316.05。差价¥60.05已付清。",
        "【商城】订单ORD-1001已修改，新的订单金额为¥316.05。差价¥60.05已付清。",
    ),
    ("edited_balance_paid", "en"): (
        "Order changed ORD-1001",
        "Order ORD-1001 has been changed; the new total is ¥316.05. The difference of ¥60.05 is paid.",
        "Order ORD-1001 has been changed; the new total is ¥316.05. The difference of ¥60.05 is paid.",
    ),
    ("edited_lapsed", "zh-CN"): (
        "订单修改已取消 ORD-1001",
        "您的订单 ORD-1001 未在时限内补付差价，修改已取消，订单保持原样。",
        "【商城】订单ORD-1001未在时限内补付差价，修改已取消，订单保持原样。",
    ),
    ("edited_lapsed", "en"): (
        "Order change dropped ORD-1001",
        "Order ORD-1001 stays as it was: the difference was not paid in time, so the change was dropped.",
        "Order ORD-1001 stays as it was: the difference was not paid in time, so the change was dropped.",
    ),
    ("deposit_paid", "zh-CN"): (
        "定金已支付 ORD-1001",
        "已收到预售订单 ORD-1001 的定金 ¥50.00。请在 2026年3月10日 至 2026年3月12日 期间支付尾款 ¥206.00；逾期未付尾款，订单将取消，定金不予退还。",
        "【商城】预售订单ORD-1001定金¥50.00已付，请于2026年3月10日至2026年3月12日支付尾款¥206.00。",
    ),
    ("deposit_paid", "en"): (
        "Deposit received ORD-1001",
        "We received the deposit of ¥50.00 for presale order ORD-1001. Please pay the balance of ¥206.00 between 10 Mar 2026 and 12 Mar 2026; if it is not paid by then, the order is cancelled and the deposit is not refunded.",
        "Presale order ORD-1001: deposit ¥50.00 received. Pay the balance ¥206.00 from 10 Mar 2026 to 12 Mar 2026.",
    ),
    ("balance_open", "zh-CN"): (
        "尾款支付已开始 ORD-1001",
        "预售订单 ORD-1001 的尾款 ¥206.00 现在可以支付，截止时间 2026年3月12日。",
        "【商城】预售订单 ORD-1001 的尾款 ¥206.00 现在可以支付，截止时间 2026年3月12日。",
    ),
    ("balance_open", "en"): (
        "Time to pay the balance ORD-1001",
        "The balance of ¥206.00 for presale order ORD-1001 can now be paid, until 12 Mar 2026.",
        "The balance of ¥206.00 for presale order ORD-1001 can now be paid, until 12 Mar 2026.",
    ),
    ("balance_closing", "zh-CN"): (
        "尾款明天截止 ORD-1001",
        "预售订单 ORD-1001 的尾款 ¥206.00 须在 2026年3月12日 前支付，逾期订单将取消。",
        "【商城】预售订单 ORD-1001 的尾款 ¥206.00 须在 2026年3月12日 前支付，逾期订单将取消。",
    ),
    ("balance_closing", "en"): (
        "The balance is due tomorrow ORD-1001",
        "The balance of ¥206.00 for presale order ORD-1001 must be paid by 12 Mar 2026, or the order is cancelled.",
        "The balance of ¥206.00 for presale order ORD-1001 must be paid by 12 Mar 2026, or the order is cancelled.",
    ),
    ("cancelled_balance_unpaid", "zh-CN"): (
        "订单已取消 ORD-1001",
        "您的订单 ORD-1001 已取消（尾款逾期未付）。定金¥50.00按预售规则不予退还。",
        "【商城】订单ORD-1001已取消。定金¥50.00按预售规则不予退还。",
    ),
    ("cancelled_balance_unpaid", "en"): (
        "Order cancelled ORD-1001",
        "Order ORD-1001 has been cancelled because the balance was not paid in time. The deposit of ¥50.00 is kept, as the presale terms say.",
        "Order ORD-1001 cancelled. The deposit of ¥50.00 is kept, as the presale terms say.",
    ),
    ("cancelled_timeout", "en"): (
        "Order cancelled ORD-1001",
        "Order ORD-1001 has been cancelled because it was not paid in time.",
        "Order ORD-1001 cancelled.",
    ),
    ("cancelled_review_refund", "zh-CN"): (
        "订单已取消 ORD-1001",
        "您的订单 ORD-1001 已取消（审核未通过）。已付款项将原路退回。",
        "【商城】订单ORD-1001已取消。已付款项将原路退回。",
    ),
    ("cancelled_review_refund", "en"): (
        "Order cancelled ORD-1001",
        "Order ORD-1001 has been cancelled because it did not pass our review. Any payment is refunded to where it came from.",
        "Order ORD-1001 cancelled. Any payment is refunded to where it came from.",
    ),
    ("cancelled_staff_refunded", "zh-CN"): (
        "订单已取消 ORD-1001",
        "您的订单 ORD-1001 已取消（客服已为您取消）。已付款项将原路退回。",
        "【商城】订单ORD-1001已取消。已付款项将原路退回。",
    ),
    ("cancelled_staff_refunded", "en"): (
        "Order cancelled ORD-1001",
        "Order ORD-1001 has been cancelled because our staff cancelled it. Any payment is refunded to where it came from.",
        "Order ORD-1001 cancelled. Any payment is refunded to where it came from.",
    ),
    ("cancelled_unknown", "zh-CN"): (
        "订单已取消 ORD-1001",
        "您的订单 ORD-1001 已取消。",
        "【商城】订单ORD-1001已取消。",
    ),
    ("cancelled_unknown", "en"): (
        "Order cancelled ORD-1001",
        "Order ORD-1001 has been cancelled.",
        "Order ORD-1001 cancelled.",
    ),
    ("cancelled_no_detail", "zh-CN"): (
        "订单已取消 ORD-1001",
        "您的订单 ORD-1001 已取消。",
        "【商城】订单ORD-1001已取消。",
    ),
    ("cancelled_no_detail", "en"): (
        "Order cancelled ORD-1001",
        "Order ORD-1001 has been cancelled.",
        "Order ORD-1001 cancelled.",
    ),
    ("refund", "zh-CN"): (
        "退款已完成 ORD-1001",
        "订单 ORD-1001 的退款 ¥123.45 已原路退回，到账时间以支付渠道为准（通常 1-7 个工作日）。",
        "【商城】订单ORD-1001退款¥123.45已原路退回。",
    ),
    ("refund", "en"): (
        "Refund issued ORD-1001",
        "A refund of ¥123.45 for order ORD-1001 has been sent back to your original payment method; it usually arrives within 1-7 business days.",
        "Order ORD-1001: refund of ¥123.45 issued.",
    ),
    ("refund_no_detail", "zh-CN"): (
        "退款已完成 ORD-1001",
        "订单 ORD-1001 的退款 GBP 0.00 已原路退回，到账时间以支付渠道为准（通常 1-7 个工作日）。",
        "【商城】订单ORD-1001退款GBP 0.00已原路退回。",
    ),
    ("refund_no_detail", "en"): (
        "Refund issued ORD-1001",
        "A refund of GBP 0.00 for order ORD-1001 has been sent back to your original payment method; it usually arrives within 1-7 business days.",
        "Order ORD-1001: refund of GBP 0.00 issued.",
    ),
    ("return_approved", "zh-CN"): (
        "退货申请已通过 RET-1",
        "订单 ORD-1001 的退货申请已通过。请在 5 天内寄回：\n退货地址：杭州市余杭区仓前街道 8 号 退货仓\n包装要求：原包装，附退货单号\n推荐物流：顺丰速运。建议保价寄送。",
        "【商城】退货申请已通过，请于5天内寄回。",
    ),
    ("return_approved", "en"): (
        "Return approved RET-1",
        "Your return for order ORD-1001 is approved. Please send it within 5 days to: 杭州市余杭区仓前街道 8 号 退货仓\nPacking: 原包装，附退货单号\nRecommended carrier: 顺丰速运. We advise insured shipping.",
        "Your return is approved; please send it back within the time given.",
    ),
    ("return_approved_uninsured", "zh-CN"): (
        "退货申请已通过 RET-2",
        "订单 ORD-1001 的退货申请已通过。请在 5 天内寄回：\n退货地址：杭州市余杭区仓前街道 8 号 退货仓\n包装要求：原包装，附退货单号\n推荐物流：顺丰速运。",
        "【商城】退货申请已通过，请于5天内寄回。",
    ),
    ("return_approved_uninsured", "en"): (
        "Return approved RET-2",
        "Your return for order ORD-1001 is approved. Please send it within 5 days to: 杭州市余杭区仓前街道 8 号 退货仓\nPacking: 原包装，附退货单号\nRecommended carrier: 顺丰速运.",
        "Your return is approved; please send it back within the time given.",
    ),
    ("return_approved_no_detail", "zh-CN"): (
        "退货申请已通过 ",
        "订单 ORD-1001 的退货申请已通过。请在 7 天内寄回：\n退货地址：\n包装要求：\n推荐物流：。",
        "【商城】退货申请已通过，请于7天内寄回。",
    ),
    ("return_approved_no_detail", "en"): (
        "Return approved ",
        "Your return for order ORD-1001 is approved. Please send it within 7 days to: \nPacking: \nRecommended carrier: .",
        "Your return is approved; please send it back within the time given.",
    ),
    ("return_rejected_partial", "zh-CN"): (
        "退货申请未通过 RET-3",
        "很抱歉，订单 ORD-1001 的退货申请未通过：超过退货期限。我们可以为您提供部分退款（¥30.00），请在退货详情中选择。",
        "【商城】退货申请未通过，可选择部分退款。",
    ),
    ("return_rejected_partial", "en"): (
        "Return not accepted RET-3",
        "Your return for order ORD-1001 was not accepted: 超过退货期限. We can offer a partial refund of ¥30.00 instead; choose it on the return.",
        "Your return was not accepted; a partial refund is offered instead.",
    ),
    ("return_rejected_exchange", "zh-CN"): (
        "退货申请未通过 RET-4",
        "很抱歉，订单 ORD-1001 的退货申请未通过：worn。我们可以为您提供换货，请在退货详情中选择。",
        "【商城】退货申请未通过，可选择换货。",
    ),
    ("return_rejected_exchange", "en"): (
        "Return not accepted RET-4",
        "Your return for order ORD-1001 was not accepted: worn. We can offer a exchange instead; choose it on the return.",
        "Your return was not accepted; a exchange is offered instead.",
    ),
    ("return_rejected_unknown_offer", "zh-CN"): (
        "退货申请未通过 RET-5",
        "很抱歉，订单 ORD-1001 的退货申请未通过：x。我们可以为您提供store_credit，请在退货详情中选择。",
        "【商城】退货申请未通过，可选择store_credit。",
    ),
    ("return_rejected_unknown_offer", "en"): (
        "Return not accepted RET-5",
        "Your return for order ORD-1001 was not accepted: x. We can offer a store credit instead; choose it on the return.",
        "Your return was not accepted; a store credit is offered instead.",
    ),
    ("return_rejected_no_detail", "zh-CN"): (
        "退货申请未通过 ",
        "很抱歉，订单 ORD-1001 的退货申请未通过：。我们可以为您提供，请在退货详情中选择。",
        "【商城】退货申请未通过，可选择。",
    ),
    ("return_rejected_no_detail", "en"): (
        "Return not accepted ",
        "Your return for order ORD-1001 was not accepted: . We can offer a  instead; choose it on the return.",
        "Your return was not accepted; a  is offered instead.",
    ),
    ("return_disputed", "zh-CN"): (
        "退货检验有异议 ORD-1001",
        "订单 ORD-1001 寄回的商品与原订单不符或数量不足，相应部分的退款暂缓，客服将与您联系。",
        "【商城】退货检验有异议，部分退款暂缓，客服将与您联系。",
    ),
    ("return_disputed", "en"): (
        "Return inspection: a question ORD-1001",
        "What came back for order ORD-1001 is not the original item or not all of it; that part of the refund is held and our staff will contact you.",
        "Part of your return did not pass inspection; that refund is held and we will contact you.",
    ),
    ("return_lapsed", "zh-CN"): (
        "退货已失效 ORD-1001",
        "订单 ORD-1001 的退货未在规定时间内寄出，已失效。",
        "【商城】退货未按时寄出，已失效。",
    ),
    ("return_lapsed", "en"): (
        "Return lapsed ORD-1001",
        "The return for order ORD-1001 was not sent in time and has lapsed.",
        "Your return was not sent in time and has lapsed.",
    ),
    ("return_message", "zh-CN"): (
        "客服回复了您的退货 ORD-1001",
        "客服在您的退货中留言，请查看退货详情。",
        "【商城】客服回复了您的退货。",
    ),
    ("return_message", "en"): (
        "A reply on your return ORD-1001",
        "Our staff replied on your return; see the return for the message.",
        "Our staff replied on your return.",
    ),
    ("return_intercepting", "zh-CN"): (
        "包裹正在拦截 ORD-1001",
        "订单 ORD-1001 的包裹已通知快递拦截退回，包裹退回后即为您退款；如包裹先送达，请拒收。",
        "【商城】订单ORD-1001的包裹正在拦截退回，退回后即退款。",
    ),
    ("return_intercepting", "en"): (
        "We are stopping your parcel ORD-1001",
        "The carrier is bringing the parcel of order ORD-1001 back to us. Your refund starts as soon as it "
        "is back; if it reaches you first, please refuse it.",
        "The parcel of order ORD-1001 is being stopped; the refund starts when it is back with us.",
    ),
    ("return_interception_failed", "zh-CN"): (
        "包裹拦截未成功 ORD-1001",
        "订单 ORD-1001 的包裹未能拦截。客服将在一天内处理您的退款申请；如收到包裹，可拒收或申请退货退款。",
        "【商城】订单ORD-1001的包裹未能拦截，客服将在一天内处理您的退款。",
    ),
    ("return_interception_failed", "en"): (
        "Your parcel could not be stopped ORD-1001",
        "The carrier could not stop the parcel of order ORD-1001. Our staff will decide on your refund "
        "within a day; if the parcel reaches you, you may refuse it or send it back as a return.",
        "The parcel of order ORD-1001 could not be stopped; our staff will decide on your refund within a day.",
    ),
    ("exchange_approved_pay", "zh-CN"): (
        "换货申请已通过 ORD-1001",
        "订单 ORD-1001 的换货申请已通过，换货商品已为您预留。请于 2026年3月9日 前补付差价 ¥20.00。快递揽收您的退回包裹后即发出换货商品。",
        "【商城】订单ORD-1001换货申请已通过，详情请查看售后申请。",
    ),
    ("exchange_approved_pay", "en"): (
        "Exchange approved ORD-1001",
        "Your exchange for order ORD-1001 is approved and the replacement is set aside for you. Please pay the difference of ¥20.00 by 09 Mar 2026. It ships as soon as the carrier has your return parcel.",
        "Exchange approved: order ORD-1001. See the return for details.",
    ),
    ("exchange_approved_trusted_pays", "zh-CN"): (
        "换货申请已通过 ORD-1001",
        "订单 ORD-1001 的换货申请已通过，换货商品已为您预留。请于 2026年3月9日 前补付差价 ¥5.00。差价付清后即发出换货商品。",
        "【商城】订单ORD-1001换货申请已通过，详情请查看售后申请。",
    ),
    ("exchange_approved_trusted_pays", "en"): (
        "Exchange approved ORD-1001",
        "Your exchange for order ORD-1001 is approved and the replacement is set aside for you. Please pay the difference of ¥5.00 by 09 Mar 2026. It ships as soon as the difference is paid.",
        "Exchange approved: order ORD-1001. See the return for details.",
    ),
    ("exchange_approved_refund", "zh-CN"): (
        "换货申请已通过 ORD-1001",
        "订单 ORD-1001 的换货申请已通过，换货商品已为您预留。差价 ¥15.00 将在退回商品检验通过后原路退回。换货商品即刻发出。",
        "【商城】订单ORD-1001换货申请已通过，详情请查看售后申请。",
    ),
    ("exchange_approved_refund", "en"): (
        "Exchange approved ORD-1001",
        "Your exchange for order ORD-1001 is approved and the replacement is set aside for you. The difference of ¥15.00 is refunded once your parcel passes inspection. It ships now.",
        "Exchange approved: order ORD-1001. See the return for details.",
    ),
    ("exchange_released", "zh-CN"): (
        "换货商品已安排发货 ORD-1001",
        "订单 ORD-1001 的退回包裹已由快递揽收，换货订单 ORD-2002 正在发货。",
        "【商城】订单ORD-1001换货商品已安排发货，详情请查看售后申请。",
    ),
    ("exchange_released", "en"): (
        "Your replacement ships ORD-1001",
        "The carrier has your return parcel for order ORD-1001: your replacement (ORD-2002) is being shipped.",
        "Your replacement ships: order ORD-1001. See the return for details.",
    ),
    ("exchange_cancelled", "zh-CN"): (
        "换货已取消 ORD-1001",
        "订单 ORD-1001 的换货差价未在时限内支付，换货已取消，预留的商品已释放。",
        "【商城】订单ORD-1001换货已取消，详情请查看售后申请。",
    ),
    ("exchange_cancelled", "en"): (
        "Exchange cancelled ORD-1001",
        "The price difference for your exchange on order ORD-1001 was not paid in time, so the exchange is cancelled and the replacement released.",
        "Exchange cancelled: order ORD-1001. See the return for details.",
    ),
}

# Any locale without its own file reads the English notices (zh-CN only on an exact match).
FALLBACK_LOCALES = ("fr", "zh", "en-US", "zh-cn", "")


def test_every_event_with_a_notice_has_a_case() -> None:
    assert {event for event, _, _ in CASES.values()} == set(RENDER)


@pytest.mark.parametrize(("case", "locale"), sorted(EXPECTED))
def test_a_notice_reads_as_recorded(case: str, locale: str) -> None:
    event, order, detail = CASES[case]
    assert RENDER[event](order, locale, detail) == Notice(*EXPECTED[case, locale])


@pytest.mark.parametrize("locale", FALLBACK_LOCALES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_locale_without_a_file_reads_english(case: str, locale: str) -> None:
    event, order, detail = CASES[case]
    assert RENDER[event](order, locale, detail) == Notice(*EXPECTED[case, "en"])


def test_the_inputs_are_left_as_they_were() -> None:
    before: Any = repr(CASES)
    for event, order, detail in CASES.values():
        for locale in ("zh-CN", "en"):
            RENDER[event](order, locale, detail)
    assert repr(CASES) == before
