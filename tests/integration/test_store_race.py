"""Race safety of the store's conditional writes, on every DynamoDB engine, unsharded and sharded."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from oms import ids
from oms.store import inventory
from oms.store.table import Table

from tests.integration.helpers import stock_shards, stocked_product


@pytest.fixture(params=[1, 4], ids=["1-shard", "4-shards"])
def shards(request: pytest.FixtureRequest, cloud: object) -> Iterator[int]:
    with stock_shards(request.param):
        yield request.param


def test_32_concurrent_decrements_on_100_succeed_exactly_100_times(shards: int) -> None:
    table = Table()
    sku = stocked_product(table, 100)
    successes = []
    failures = []
    start = threading.Barrier(32)

    def buyer() -> None:
        start.wait()
        while True:
            # Sharded, a buyer whose shard ran dry falls back to the others: refused only when all are empty.
            if inventory.reserve(table, sku, 1, None, ids.new_id("ord")) is None:
                failures.append(1)
                return
            successes.append(1)

    threads = [threading.Thread(target=buyer) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    levels = inventory.levels(table, sku)
    assert len(successes) == 100
    assert len(failures) == 32
    assert levels.pool.available == 0
    assert levels.pool.reserved == 100
    assert levels.pool.on_hand == 100
    assert len(levels.shards) == shards
    assert [s.available for s in levels.shards] == [0] * shards
    assert sum(s.reserved for s in levels.shards) == 100
