"""Placing an order: the request, every check of the specification's "订单生成与确认", and the price.

:func:`check_order` looks at everything at once and reports every problem in one answer, so the shopper
fixes the basket in one go. It reads nothing: the caller passes the catalogue, stock and coupon it read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from oms.domain.address import Address, address_problems
from oms.domain.catalog import CURRENCY_PATTERN, SKU_PATTERN, Flag, Product
from oms.domain.coupons import REFUSAL_MESSAGES, Coupon, CouponUsage, coupon_discount, coupon_refusal
from oms.domain.fulfilment import estimated_delivery_by, estimated_ship_by, payment_due_at, shipping_fee
from oms.domain.money import allocate
from oms.domain.presale import PaymentPlan, payment_plan
from oms.problems import FieldError, Problem

MAX_LINES = 30  # one TransactWriteItems holds 100 items: lines, their channel caps and the coupon fit


class Channel(StrEnum):
    web = "web"
    app = "app"
    mini_program = "mini_program"
    marketplace = "marketplace"


class PaymentMethod(StrEnum):
    alipay = "alipay"
    wechat_pay = "wechat_pay"
    card = "card"
    balance = "balance"


PAYMENT_METHODS_BY_CHANNEL: dict[Channel, frozenset[PaymentMethod]] = {
    Channel.web: frozenset(PaymentMethod),
    Channel.app: frozenset(PaymentMethod),
    Channel.mini_program: frozenset({PaymentMethod.wechat_pay, PaymentMethod.balance}),
    Channel.marketplace: frozenset({PaymentMethod.alipay, PaymentMethod.card}),
}


class OrderLineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity: StrictInt = Field(ge=1, le=999)
    unit_price: StrictInt = Field(ge=0, description="the price the shopper saw, in minor units")


class PlaceOrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[OrderLineRequest] = Field(min_length=1, max_length=MAX_LINES)
    shipping_address: Address
    payment_method: PaymentMethod
    coupon_code: str | None = Field(None, max_length=32)
    channel: Channel = Channel.web
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN)


class PricedLine(BaseModel):
    sku: str
    name: str
    category: str
    flags: list[Flag]
    quantity: int
    unit_price: int
    line_total: int
    discount: int


class Totals(BaseModel):
    subtotal: int
    discount: int
    shipping_fee: int
    total: int
    currency: str


class OrderDraft(BaseModel):
    """A checked and priced order, ready to be placed with its reservations."""

    order_id: str
    customer_id: str
    channel: Channel
    payment_method: PaymentMethod
    coupon_code: str | None
    lines: list[PricedLine]
    totals: Totals
    shipping_address: Address
    placed_at: datetime
    payment_due_at: datetime
    estimated_ship_by: datetime
    estimated_delivery_by: datetime
    payment_plan: PaymentPlan | None = None  # a presale with a deposit: two payments


_CONFLICT_CODES = frozenset({"price_changed", "insufficient_stock"})


class OrderRejected(Problem):
    """Every reason the order cannot be placed, in one answer."""

    def __init__(self, errors: list[FieldError], extra: dict[str, object] | None = None) -> None:
        codes = {str(e.extra.get("code")) for e in errors}
        code = next(iter(codes)) if len(codes) == 1 else "order_invalid"
        # 409 when the basket is merely stale (prices moved, stock ran short), even with both kinds at once.
        status = 409 if codes and codes <= _CONFLICT_CODES else 422
        super().__init__(
            DETAILS.get(code, "The order cannot be placed as it is; each error says what to change."),
            errors=errors,
            code=code,
            status=status,
            title=TITLES.get(code, "The order cannot be placed"),
            extra=extra,
        )


PRESALE_MESSAGES = {
    "presale_windows_differ": "Presale items with different balance windows are ordered separately.",
    "presale_closed": "This presale has closed; the item can no longer be ordered with a deposit.",
}

TITLES = {
    "price_changed": "Prices have changed",
    "insufficient_stock": "Not enough stock",
    "coupon_invalid": "The coupon cannot be used",
    "address_incomplete": "The shipping address is incomplete",
}
DETAILS = {
    "price_changed": "Some prices changed since the basket was shown; confirm the current prices and resubmit.",
    "insufficient_stock": "Some items are short; lower the quantities to what is available or remove them.",
    "coupon_invalid": "Remove the coupon or use another one.",
    "address_incomplete": "Complete the shipping address; each missing field is listed.",
}


def _error(field: str, message: str, code: str, **extra: object) -> FieldError:
    return FieldError(field, message, {"code": code, **extra})


def _line_problems(
    request: PlaceOrderRequest,
    products: Mapping[str, Product | None],
    available: Mapping[str, int],
    currency: str,
) -> list[FieldError]:
    problems: list[FieldError] = []
    seen: set[str] = set()
    for i, line in enumerate(request.items):
        at = f"items[{i}]"
        if line.sku in seen:
            problems.append(
                _error(f"{at}.sku", "appears twice; put the whole quantity on one line", "duplicate_line")
            )
            continue
        seen.add(line.sku)
        problems += _problems_of_line(at, line, products.get(line.sku), available, currency)
    return problems


def _problems_of_line(
    at: str, line: OrderLineRequest, product: Product | None, available: Mapping[str, int], currency: str
) -> list[FieldError]:
    """What is wrong with one line: its product not on sale in ``currency``, else its quantity and price."""
    if product is None:
        return [_error(f"{at}.sku", f"no product {line.sku}", "unknown_sku", sku=line.sku)]
    if not product.active:
        return [_error(f"{at}.sku", f"{line.sku} is not on sale", "product_inactive", sku=line.sku)]
    if product.currency != currency:
        return [
            _error(
                f"{at}.sku", f"{line.sku} is sold in {product.currency}", "currency_mismatch", sku=line.sku
            )
        ]
    return _quantity_and_price_problems(at, line, product, available.get(line.sku, 0))


def _quantity_and_price_problems(
    at: str, line: OrderLineRequest, product: Product, stock: int
) -> list[FieldError]:
    problems: list[FieldError] = []
    if line.quantity > product.max_per_order:
        problems.append(
            _error(
                f"{at}.quantity",
                f"at most {product.max_per_order} per order",
                "quantity_limit",
                sku=line.sku,
                max_per_order=product.max_per_order,
            )
        )
    if line.unit_price != product.price:
        problems.append(
            _error(
                f"{at}.unit_price",
                f"the price is now {product.price}",
                "price_changed",
                sku=line.sku,
                current_price=product.price,
            )
        )
    if line.quantity > stock:
        problems.append(
            _error(
                f"{at}.quantity",
                f"only {max(stock, 0)} available",
                "insufficient_stock",
                sku=line.sku,
                available=max(stock, 0),
            )
        )
    return problems


def _payment_method_problems(request: PlaceOrderRequest) -> list[FieldError]:
    methods = PAYMENT_METHODS_BY_CHANNEL[request.channel]
    if request.payment_method in methods:
        return []
    return [
        _error(
            "payment_method",
            f"{request.payment_method} is not available on {request.channel}",
            "payment_method_unavailable",
            available_methods=sorted(methods),
        )
    ]


_Lines = list[tuple[OrderLineRequest, Product]]


def _coupon_discounts(
    request: PlaceOrderRequest,
    coupon: Coupon | None,
    coupon_usage: CouponUsage,
    lines: _Lines,
    line_totals: list[int],
    currency: str,
    now: datetime,
) -> tuple[int, list[int], list[FieldError]]:
    """The coupon's discount and each line's share of it, or the reason the coupon cannot be used."""
    discounts = [0] * len(lines)
    if not request.coupon_code:
        return 0, discounts, []
    eligible = [
        total if coupon and (not coupon.categories or product.category in coupon.categories) else 0
        for total, (_, product) in zip(line_totals, lines, strict=True)
    ]
    refusal = coupon_refusal(coupon, coupon_usage, sum(eligible), currency, now)
    if refusal:
        return (
            0,
            discounts,
            [_error("coupon_code", REFUSAL_MESSAGES[refusal], "coupon_invalid", reason=refusal)],
        )
    if coupon is None:
        return 0, discounts, []
    discount = coupon_discount(coupon, sum(eligible))
    return discount, allocate(discount, eligible), []


def _priced_lines(lines: _Lines, line_totals: list[int], discounts: list[int]) -> list[PricedLine]:
    return [
        PricedLine(
            sku=product.sku,
            name=product.name,
            category=product.category,
            flags=list(product.flags),
            quantity=line.quantity,
            unit_price=product.price,
            line_total=total,
            discount=share,
        )
        for (line, product), total, share in zip(lines, line_totals, discounts, strict=True)
    ]


def check_order(
    request: PlaceOrderRequest,
    *,
    order_id: str,
    customer_id: str,
    products: Mapping[str, Product | None],
    available: Mapping[str, int],
    coupon: Coupon | None,
    coupon_usage: CouponUsage,
    now: datetime,
    payment_timeout_minutes: int,
) -> OrderDraft:
    """The priced order, or :class:`OrderRejected` naming every problem."""
    known = [p for p in (products.get(line.sku) for line in request.items) if p is not None]
    currency = request.currency or (known[0].currency if known else "CNY")
    problems = _line_problems(request, products, available, currency)
    problems += address_problems(request.shipping_address)
    problems += _payment_method_problems(request)

    lines = [(line, product) for line in request.items if (product := products.get(line.sku)) is not None]
    line_totals = [product.price * line.quantity for line, product in lines]
    discount, discounts, refused = _coupon_discounts(
        request, coupon, coupon_usage, lines, line_totals, currency, now
    )
    problems += refused
    subtotal = sum(line_totals)
    catalogue = [product for _, product in lines]
    fee = shipping_fee(catalogue, subtotal - discount)
    plan, presale_refusal = payment_plan(
        [(line.quantity, product.deposit) for line, product in lines], subtotal - discount + fee, now
    )
    if presale_refusal:
        problems.append(_error("items", PRESALE_MESSAGES[presale_refusal], presale_refusal))
    if problems:
        raise OrderRejected(problems)

    ship_by = estimated_ship_by(catalogue, now)
    return OrderDraft(
        order_id=order_id,
        customer_id=customer_id,
        channel=request.channel,
        payment_method=request.payment_method,
        coupon_code=request.coupon_code,
        lines=_priced_lines(lines, line_totals, discounts),
        totals=Totals(
            subtotal=subtotal,
            discount=discount,
            shipping_fee=fee,
            total=subtotal - discount + fee,
            currency=currency,
        ),
        shipping_address=request.shipping_address,
        placed_at=now,
        payment_due_at=payment_due_at(now, payment_timeout_minutes),
        estimated_ship_by=ship_by,
        estimated_delivery_by=estimated_delivery_by(catalogue, ship_by),
        payment_plan=plan,
    )
