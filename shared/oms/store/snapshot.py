"""Everything validate-order needs to read, in one BatchGetItem."""

from __future__ import annotations

from dataclasses import dataclass

from oms.domain.catalog import Product
from oms.domain.coupons import Coupon, CouponUsage
from oms.domain.inventory import StockLevels
from oms.store import inventory, keys
from oms.store.table import Table


@dataclass(frozen=True)
class OrderSnapshot:
    products: dict[str, Product | None]
    stock: dict[str, StockLevels]
    coupon: Coupon | None
    coupon_usage: CouponUsage


def read(
    table: Table, skus: list[str], channel: str, coupon_code: str | None, customer_id: str
) -> OrderSnapshot:
    wanted = list(dict.fromkeys(skus))
    ask = [k for sku in wanted for k in (keys.product(sku), *inventory.stock_keys(sku, channel))]
    if coupon_code:
        ask += [keys.coupon(coupon_code), keys.coupon_use(coupon_code, customer_id)]
    found = inventory.get_all(table, ask)
    products: dict[str, Product | None] = {}
    for sku in wanted:
        item = found.get(keys.product(sku))
        products[sku] = (
            Product.model_validate({k: v for k, v in item.items() if k in Product.model_fields})
            if item
            else None
        )
    stock = inventory.levels_in(table, wanted, found)
    coupon = None
    usage = CouponUsage()
    if coupon_code and (item := found.get(keys.coupon(coupon_code))):
        coupon = Coupon.model_validate({k: v for k, v in item.items() if k in Coupon.model_fields})
        use = found.get(keys.coupon_use(coupon_code, customer_id)) or {}
        usage = CouponUsage(used=item.get("used_count", 0), used_by_customer=use.get("uses", 0))
    return OrderSnapshot(products=products, stock=stock, coupon=coupon, coupon_usage=usage)
