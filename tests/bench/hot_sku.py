"""Figure 6: how many orders per second one SKU can take in AWS, by arithmetic (nothing to run locally).

One item takes at most about 1,000 write capacity units per second (a partition's limit; an item never
spans partitions). A transactional write costs 2 WCU per started KiB of each item it writes. Every
order of a SKU updates that SKU's pool stock item once, and its channel item too when the channel is
capped; later the same pool item is written again once per order (shipping, or the release of an
unpaid order).
"""

from __future__ import annotations

import math
from typing import Any

ITEM_WCU_PER_SECOND = 1000
TRANSACTIONAL_FACTOR = 2
KIB = 1024


def model(*, stock_item_bytes: int, shards: int = 1) -> dict[str, Any]:
    wcu_per_write = TRANSACTIONAL_FACTOR * max(1, math.ceil(stock_item_bytes / KIB))
    per_item = ITEM_WCU_PER_SECOND / wcu_per_write
    return {
        "stock_item_bytes": stock_item_bytes,
        "wcu_per_transactional_stock_write": wcu_per_write,
        "orders_per_second_uncapped_channel": per_item,
        # The channel item has its own budget, but shares the pool item's partition key: until DynamoDB
        # splits that item collection for heat, both writes draw on one partition's 1,000 WCU/s.
        "orders_per_second_capped_channel_same_partition": ITEM_WCU_PER_SECOND / (2 * wcu_per_write),
        "orders_per_second_capped_channel_after_split": per_item,
        "sustained_with_shipping_at_the_same_rate": per_item / 2,
        "with_shards": {str(k): per_item * k for k in (1, 2, 4, 8, shards) if k >= 1},
        "arithmetic": [
            f"stock item {stock_item_bytes} B -> {max(1, math.ceil(stock_item_bytes / KIB))} KiB; "
            f"transactional write = {TRANSACTIONAL_FACTOR} x {max(1, math.ceil(stock_item_bytes / KIB))} "
            f"= {wcu_per_write} WCU",
            f"one item: {ITEM_WCU_PER_SECOND} WCU/s / {wcu_per_write} WCU per order = {per_item:.0f} orders/s "
            "for one SKU sold on an uncapped channel",
            f"capped channel: pool + channel item = {2 * wcu_per_write} WCU per order on one partition key -> "
            f"{ITEM_WCU_PER_SECOND / (2 * wcu_per_write):.0f} orders/s until the collection is split for heat, "
            f"then {per_item:.0f} (each item its own {ITEM_WCU_PER_SECOND} WCU/s)",
            f"every order writes the pool item a second time later (ship or release): with those writes at "
            f"the same rate, {per_item / 2:.0f} orders/s sustained",
            f"k shard items per SKU (pool split over k keys, an order taking from one): k x {per_item:.0f} "
            "orders/s; STOCK_SHARDS exists in oms.config but nothing reads it yet",
        ],
        "caveat": (
            "An upper bound: concurrent transactions on one item are refused with TransactionConflict "
            "(retried here with backoff), so a single hot item reaches less than its WCU limit in practice."
        ),
    }
