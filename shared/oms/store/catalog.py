"""Products, coupons and customer profiles."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.domain.catalog import Product
from oms.domain.coupons import Coupon, CouponUsage
from oms.store import keys
from oms.store.table import Table, compact, values
from oms.store.unit_of_work import Write, put


def put_product(table: Table, product: Product) -> Product:
    pk, sk = keys.product(product.sku)
    table.put({"pk": pk, "sk": sk, **product.model_dump(mode="json"), "updated_at": clock.now_iso()})
    return product


def _product(item: dict[str, Any] | None) -> Product | None:
    if not item:
        return None
    return Product.model_validate({k: v for k, v in item.items() if k in Product.model_fields})


def get_product(table: Table, sku: str) -> Product | None:
    return _product(table.get(*keys.product(sku)))


def put_coupon(table: Table, coupon: Coupon) -> Coupon:
    pk, sk = keys.coupon(coupon.code)
    # Usage counters live on the same item and survive an edit of the terms.
    fields = coupon.model_dump(mode="json")
    names = {f"#{k}": k for k in fields}
    sets = ", ".join(f"#{k} = :{k}" for k in fields)
    table.update(
        pk,
        sk,
        f"SET {sets}, used_count = if_not_exists(used_count, :zero), updated_at = :now",
        names=names,
        expression_values=values(**fields, zero=0, now=clock.now_iso()),
    )
    return coupon


ISSUED_COUPON = "coupon"


def issue_coupon(coupon: Coupon, *, issued_to: str, issued_for: str) -> Write:
    """A new coupon for one customer (compensation): refused (``failed_on(ISSUED_COUPON)``) if the code is taken."""
    item = compact(
        {
            **keys.key(keys.coupon(coupon.code)),
            **coupon.model_dump(mode="json"),
            "used_count": 0,
            "issued_to": issued_to,
            "issued_for": issued_for,
            "updated_at": clock.now_iso(),
        }
    )
    return put(ISSUED_COUPON, item, condition="attribute_not_exists(pk)")


def get_coupon(table: Table, code: str, customer_id: str) -> tuple[Coupon | None, CouponUsage]:
    found = table.get_many([keys.coupon(code), keys.coupon_use(code, customer_id)])
    item = found.get(keys.coupon(code))
    use = found.get(keys.coupon_use(code, customer_id)) or {}
    if not item:
        return None, CouponUsage()
    coupon = Coupon.model_validate({k: v for k, v in item.items() if k in Coupon.model_fields})
    return coupon, CouponUsage(used=item.get("used_count", 0), used_by_customer=use.get("uses", 0))


def put_customer(table: Table, customer_id: str, profile: dict[str, Any]) -> dict[str, Any]:
    pk, sk = keys.customer(customer_id)
    table.put({"pk": pk, "sk": sk, "customer_id": customer_id, **profile, "updated_at": clock.now_iso()})
    return {"customer_id": customer_id, **profile}


def get_customer(table: Table, customer_id: str) -> dict[str, Any] | None:
    item = table.get(*keys.customer(customer_id))
    if not item:
        return None
    return {k: v for k, v in item.items() if k not in ("pk", "sk")}
