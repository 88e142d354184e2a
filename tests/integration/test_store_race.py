"""Race safety of the store's conditional writes, on every DynamoDB engine."""

from __future__ import annotations

import threading

from oms.store import inventory
from oms.store.table import Table, TransactionCancelled

from tests.integration.helpers import stocked_product


def test_32_concurrent_decrements_on_100_succeed_exactly_100_times(cloud: object) -> None:
    table = Table()
    sku = stocked_product(table, 100)
    successes = []
    failures = []
    start = threading.Barrier(32)

    def buyer() -> None:
        start.wait()
        while True:
            try:
                table.transact(inventory.reserve_ops(sku, 1, None))
            except TransactionCancelled:
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
