"""Builders shared by the integration tests (catalogue, stock, requests)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from oms import config, ids
from oms.domain.catalog import Product
from oms.store import catalog, inventory, orders, races, returns
from oms.store.table import Item, Table

ADDRESS = {
    "recipient": "王芳",
    "phone": "+8613800000000",
    "line1": "人民路 1 号",
    "city": "济南",
    "region": "山东",
    "postal_code": "250000",
    "country": "CN",
}


def new_sku(prefix: str = "SKU") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def stocked_product(table: Table, stock: int, *, price: int = 3900, **fields: Any) -> str:
    sku = new_sku()
    catalog.put_product(
        table,
        Product(sku=sku, name=f"Product {sku}", price=price, currency="CNY", category="general", **fields),
    )
    if stock:
        inventory.adjust(table, sku, stock, "received", None, ids.new_id("adj"))
    return sku


def order_request(*lines: tuple[str, int, int], **overrides: Any) -> dict[str, Any]:
    return {
        "items": [{"sku": sku, "quantity": qty, "unit_price": price} for sku, qty, price in lines],
        "shipping_address": dict(ADDRESS),
        "payment_method": "alipay",
        "channel": "web",
        **overrides,
    }


def step_input(request: dict[str, Any], customer: str = "cus_1") -> dict[str, Any]:
    return {"order_id": ids.new_id("ord"), "customer_id": customer, "request_hash": "h", "request": request}


@contextmanager
def stock_shards(count: int) -> Iterator[None]:
    """Run with ``STOCK_SHARDS=count`` (the setting is read once per process: reloaded on the way in and out)."""
    saved = os.environ.get("STOCK_SHARDS")
    os.environ["STOCK_SHARDS"] = str(count)
    config.reload()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("STOCK_SHARDS", None)
        else:
            os.environ["STOCK_SHARDS"] = saved
        config.reload()


T = TypeVar("T")


def on_order(table: Table, order_id: str, act: Callable[[Item], T]) -> T:
    """``act`` on the order as it is now, read again after a lost race (as the routes do)."""
    return races.retry_on_race(orders.reader(table, order_id, None), act, f"order {order_id}")


def on_return(table: Table, return_id: str, act: Callable[[Item], T]) -> T:
    """``act`` on the return as it is now, read again after a lost race (as the routes do)."""
    return races.retry_on_race(returns.reader(table, return_id, None), act, f"return {return_id}")
