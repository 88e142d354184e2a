"""Item keys of the single table: one place that knows how things are addressed."""

from __future__ import annotations


def product(sku: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", "PRODUCT"


def pool(sku: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", "STOCK"


def channel(sku: str, name: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", f"STOCK#{name}"


def adjustment(sku: str, adjustment_id: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", f"ADJUSTMENT#{adjustment_id}"


def coupon(code: str) -> tuple[str, str]:
    return f"COUPON#{code}", "COUPON"


def coupon_use(code: str, customer_id: str) -> tuple[str, str]:
    return f"COUPON#{code}", f"USE#{customer_id}"


def customer(customer_id: str) -> tuple[str, str]:
    return f"CUSTOMER#{customer_id}", "PROFILE"


def order(order_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", "ORDER"


def customer_orders(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}#ORDERS"


def key(pair: tuple[str, str]) -> dict[str, str]:
    return {"pk": pair[0], "sk": pair[1]}


def payment(payment_id: str) -> tuple[str, str]:
    """A provider's payment id, claimed by the one order it paid."""
    return f"PAYMENT#{payment_id}", "PAYMENT"
