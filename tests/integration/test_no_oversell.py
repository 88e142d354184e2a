"""Many buyers at once on a few SKUs with little stock: exactly the stock is sold, never more (the pool in
one item, and spread over 4 shard items)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from oms.domain.inventory import line_takes
from oms.placing import reserve, validate
from oms.store import inventory, orders
from oms.store.table import Table

from tests.integration.helpers import order_request, step_input, stock_shards, stocked_product


@pytest.fixture(params=[1, 4], ids=["1-shard", "4-shards"])
def shards(request: pytest.FixtureRequest, cloud: object) -> Iterator[int]:
    with stock_shards(request.param):
        yield request.param


def test_concurrent_buyers_never_oversell_and_orders_hold_all_lines_or_none(shards: int) -> None:
    table = Table()
    stock = {stocked_product(table, n): n for n in (5, 7, 3)}
    skus = list(stock)
    placed: list[dict] = []
    refused: list[dict] = []
    lock = threading.Lock()
    rng = random.Random(7)
    baskets = [
        [(sku, rng.randint(1, 3), 3900) for sku in rng.sample(skus, rng.randint(1, 3))] for _ in range(40)
    ]
    start = threading.Barrier(20)

    def buyer(worker: int) -> None:
        start.wait()
        for basket in baskets[worker::20]:
            checked = validate(step_input(order_request(*basket), f"cus_{worker}"), table)
            result = reserve(checked, table) if checked["ok"] else checked
            with lock:
                (placed if result["ok"] else refused).append(result if result["ok"] else checked)

    threads = [threading.Thread(target=buyer, args=(w,)) for w in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    sold: Counter[str] = Counter()
    on_shard: Counter[tuple[str, int]] = Counter()
    for result in placed:
        order = orders.get(table, result["order"]["id"])
        assert order is not None
        for line in order["lines"]:
            sold[line["sku"]] += line["reserved"]
            for shard, units in line_takes(line.get("shards"), line["quantity"]).items():
                on_shard[line["sku"], shard] += units
    assert placed and refused
    for sku, received in stock.items():
        levels = inventory.levels(table, sku)
        assert levels.pool.on_hand == received
        assert levels.pool.reserved == sold[sku]  # every reservation belongs to an order, and back
        assert levels.pool.available == received - sold[sku] >= 0
        for index, shard in enumerate(levels.shards):  # each shard holds what its orders recorded
            assert shard.reserved == on_shard[sku, index]
            assert shard.available >= 0
    # Demand exceeded supply on every SKU, so all stock that could be sold in whole baskets was contested.
    assert sum(sold.values()) <= sum(stock.values())
