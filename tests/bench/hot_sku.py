"""Figure 6: one hot SKU. How many orders per second one SKU can take in AWS (arithmetic), and what
sharding its stock counters (``STOCK_SHARDS``) costs per order here (measured).

Arithmetic: one item takes at most about 1,000 write capacity units per second (a partition's limit; an
item never spans partitions). A transactional write costs 2 WCU per started KiB of each item it writes.
Every order of a SKU updates one stock item of that SKU once (the pool item, or one shard of it), and its
channel item too when the channel is capped; later the same stock item is written again once per order
(shipping, or the release of an unpaid order).

Measured, per engine, with the pool in 1, 4 and 16 shard items, interleaved order by order so every
setting meets the same engine state: validate-order then reserve-stock called in-process (the service's
own code, no HTTP) for orders of one unit of one SKU, in three phases:

- steady: one client, plenty of stock on every shard (the everyday cost: validate reads N pool items);
- selling out: one client, a SKU with as many units as orders, then one order more (refused): orders
  whose shard ran dry fall back to others (a re-read and a second transaction);
- contention: several clients at once on one SKU, plenty of stock (on DynamoDB Local, concurrent transactions on one
  item are refused with TransactionConflict and retried; moto serializes every call).
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from oms import ids
from oms.placing import reserve, validate
from oms.store import inventory
from oms.store import table as table_module
from oms.store.table import StoreBusy, Table
from oms_local.testing import StackClient

from tests.bench import seeding
from tests.bench.stats import ratio, summarize
from tests.e2e.shop import order_body
from tests.integration.helpers import stock_shards

ITEM_WCU_PER_SECOND = 1000
TRANSACTIONAL_FACTOR = 2
KIB = 1024
SHARDS = (1, 4, 16)
CUSTOMER = "cus_bench_hot"
RRU_PRICE_USD = 0.125 / 1_000_000  # on-demand, us-east-1 (infrastructure/cost-model.md)


def model(*, stock_item_bytes: int, shards: tuple[int, ...] = SHARDS) -> dict[str, Any]:
    kib = max(1, math.ceil(stock_item_bytes / KIB))
    wcu_per_write = TRANSACTIONAL_FACTOR * kib
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
        "with_shards": {str(k): per_item * k for k in sorted({1, 2, *shards})},
        "sustained_with_shards": {str(k): per_item * k / 2 for k in sorted({1, 2, *shards})},
        "extra_rru_per_line": {str(k): k - 1 for k in shards},
        "extra_usd_per_1000_orders_per_line": {str(k): (k - 1) * RRU_PRICE_USD * 1000 for k in shards},
        "arithmetic": [
            f"stock item {stock_item_bytes} B -> {kib} KiB; transactional write = {TRANSACTIONAL_FACTOR} x "
            f"{kib} = {wcu_per_write} WCU",
            f"one item: {ITEM_WCU_PER_SECOND} WCU/s / {wcu_per_write} WCU per order = {per_item:.0f} orders/s "
            "for one SKU sold on an uncapped channel",
            f"capped channel: pool + channel item = {2 * wcu_per_write} WCU per order on one partition key -> "
            f"{ITEM_WCU_PER_SECOND / (2 * wcu_per_write):.0f} orders/s until the collection is split for heat, "
            f"then {per_item:.0f} (each item its own {ITEM_WCU_PER_SECOND} WCU/s)",
            f"every order writes its stock item a second time later (ship or release): with those writes at "
            f"the same rate, {per_item / 2:.0f} orders/s sustained",
            "STOCK_SHARDS=k spreads the pool over k items on k partition keys, an order line taking from one: "
            + ", ".join(
                f"k={k}: {per_item * k:,.0f} orders/s ({per_item * k / 2:,.0f} sustained)" for k in shards
            ),
            "the channel cap stays one item per channel (a cap, not the pool): a capped channel still tops out "
            f"at {per_item:.0f} orders/s per SKU ({ITEM_WCU_PER_SECOND / (2 * wcu_per_write):.0f} while it "
            "shares a partition with shard 0); for a flash sale, sell from the sharded pool without a cap",
            "the price: validate-order reads k pool items per line instead of 1 (k-1 more RRU: "
            + ", ".join(
                f"k={k}: +{k - 1} RRU, {(k - 1) * RRU_PRICE_USD * 1000:.4f} USD per 1,000 orders"
                for k in shards
                if k > 1
            )
            + "); a line whose shard ran dry costs one more BatchGetItem and one more transaction",
            f"turn it on for a SKU expected above about {per_item / 2 * 0.5:.0f} orders/s (half the sustained "
            f"ceiling of one item, leaving room for bursts and conflicts); k = expected peak orders/s / "
            f"{per_item / 2 * 0.5:.0f}, rounded up to a power of two; below that, 1 is cheapest",
        ],
        "caveat": (
            "An upper bound: concurrent transactions on one item are refused with TransactionConflict "
            "(retried here with backoff), so a single hot item reaches less than its WCU limit in practice."
        ),
    }


# ---------------------------------------------------------------------------------------------- measured


class _Counts:
    """DynamoDB requests made by the store, counted by wrapping the Table methods for the measurement."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counter: Counter[str] = Counter()

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counter[name] += n

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        transact, get_many, query, transient = (
            Table.transact,
            Table.get_many,
            Table.query,
            table_module._is_transient,
        )

        def counted_transact(table: Table, operations: list[dict[str, Any]]) -> None:
            self.add("transactions")
            self.add("items_written", len(operations))
            transact(table, operations)

        def counted_get_many(table: Table, keys: Any) -> Any:
            keys = list(keys)
            self.add("batch_gets")
            self.add("items_read", len(keys))
            return get_many(table, keys)

        def counted_query(table: Table, *args: Any, **kwargs: Any) -> Any:
            self.add("queries")
            return query(table, *args, **kwargs)

        def counted_transient(error: Any) -> bool:
            found = transient(error)
            if found:
                self.add("transient_retries")
            return found

        Table.transact = counted_transact
        Table.get_many = counted_get_many
        Table.query = counted_query
        table_module._is_transient = counted_transient
        try:
            yield
        finally:
            Table.transact = transact
            Table.get_many = get_many
            Table.query = query
            table_module._is_transient = transient


def _place(table: Table, sku: str) -> bool:
    payload = {
        "order_id": ids.new_id("ord"),
        "customer_id": CUSTOMER,
        "request_hash": "bench",
        "request": order_body((sku, 1, seeding.PRICE)),
    }
    checked = validate(payload, table)
    return bool(checked["ok"] and reserve(checked, table)["ok"])


def _stocked(table: Table, shards: int, units: int) -> str:
    with stock_shards(shards):
        return seeding.stocked_product(table, units)


def _per_order(counts: Counter[str], orders: int) -> dict[str, float]:
    keys = ("batch_gets", "items_read", "transactions", "items_written", "queries", "transient_retries")
    return {k: counts.get(k, 0) / orders for k in keys} if orders else {}


def _timed(work: Callable[[], bool]) -> tuple[float, bool]:
    started = time.perf_counter()
    ok = work()
    return time.perf_counter() - started, ok


def _sequential(table: Table, skus: dict[int, str], orders: int, *, warmup: int) -> dict[int, dict[str, Any]]:
    """``orders`` orders per setting, the settings taking turns order by order."""
    samples: dict[int, list[float]] = {n: [] for n in skus}
    placed: Counter[int] = Counter()
    counts = {n: _Counts() for n in skus}
    for n, sku in skus.items():  # untimed: imports, clients, caches
        with stock_shards(n):
            for _ in range(warmup):
                _place(table, sku)
    for round_ in range(orders):
        for n in list(skus)[round_ % len(skus) :] + list(skus)[: round_ % len(skus)]:
            with stock_shards(n), counts[n].installed():
                seconds, ok = _timed(functools.partial(_place, table, skus[n]))
            samples[n].append(seconds)
            placed[n] += ok
    return {
        n: {
            "latency": summarize(samples[n]),
            "placed": placed[n],
            "refused": orders - placed[n],
            "per_order": _per_order(counts[n].counter, orders),
        }
        for n in skus
    }


class _Contention:
    """Several clients at once on one SKU; run in parts so the settings can take turns."""

    def __init__(self, table: Table, sku: str, shards: int, clients: int) -> None:
        self.table, self.sku, self.shards, self.clients = table, sku, shards, clients
        self.samples: list[float] = []
        self.placed = 0
        self.busy = 0
        self.wall = 0.0
        self.counts = _Counts()
        self.lock = threading.Lock()

    def part(self, orders: int) -> None:
        start = threading.Barrier(self.clients)

        def client(share: int) -> None:
            start.wait()
            for _ in range(share):
                try:
                    seconds, ok = _timed(lambda: _place(self.table, self.sku))
                except StoreBusy:  # the place-order workflow retries this; counted, not timed
                    with self.lock:
                        self.busy += 1
                    continue
                with self.lock:
                    self.samples.append(seconds)
                    self.placed += ok

        shares = [
            orders // self.clients + (1 if i < orders % self.clients else 0) for i in range(self.clients)
        ]
        with stock_shards(self.shards), self.counts.installed():
            threads = [threading.Thread(target=client, args=(share,)) for share in shares]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.wall += time.perf_counter() - started

    def result(self) -> dict[str, Any]:
        return {
            "latency": summarize(self.samples),
            "placed": self.placed,
            "busy": self.busy,
            "orders_per_second": len(self.samples) / self.wall if self.wall else math.nan,
            "per_order": _per_order(self.counts.counter, len(self.samples) + self.busy),
        }


def _audit(table: Table, sku: str, shards: int, received: int, placed: int) -> dict[str, Any]:
    with stock_shards(shards):
        levels = inventory.levels(table, sku)
    return {
        "oversold_units": max(0, placed - received),
        "reserved_matches_orders": levels.pool.reserved == placed,
        "negative_shards": sum(1 for s in levels.shards if s.available < 0),
    }


def measure(world: StackClient, *, orders: int, sellout: int, clients: int, warmup: int) -> dict[str, Any]:
    """One engine: the three phases for 1, 4 and 16 shards (``world``'s table, consumers paused)."""
    del world  # the local cloud answers every boto3 client of this process
    table = Table()
    plenty = {n: _stocked(table, n, 1_000_000) for n in SHARDS}
    steady = _sequential(table, plenty, orders, warmup=warmup)
    selling = {n: _stocked(table, n, sellout) for n in SHARDS}
    selling_out = _sequential(table, selling, sellout + 1, warmup=0)
    for n, result in selling_out.items():
        result["audit"] = _audit(table, selling[n], n, sellout, result["placed"])
    cells = {n: _Contention(table, _stocked(table, n, 1_000_000), n, clients) for n in SHARDS}
    first = orders // 2
    for n in SHARDS:  # in two halves, 1-4-16 then 16-4-1: moto slows as its table grows
        cells[n].part(first)
    for n in reversed(SHARDS):
        cells[n].part(orders - first)
    contention = {
        str(n): {**cell.result(), "audit": _audit(table, cell.sku, n, 1_000_000, cell.placed)}
        for n, cell in cells.items()
    }
    base = steady[1]["latency"]
    return {
        "orders": orders,
        "sellout_units": sellout,
        "clients": clients,
        "steady": {str(n): r for n, r in steady.items()},
        "selling_out": {str(n): r for n, r in selling_out.items()},
        "contention": contention,
        "ratios": {f"steady {n} shards over 1": ratio(steady[n]["latency"], base) for n in SHARDS if n != 1}
        | {
            f"steady p99 {n} shards over 1": ratio(steady[n]["latency"], base, "p99")
            for n in SHARDS
            if n != 1
        },
    }


def run(
    world_for: Callable[[str], StackClient],
    engines: list[str],
    *,
    stock_item_bytes: int,
    quick: bool,
    scale: float,
) -> dict[str, Any]:
    """The arithmetic, and the measurement on each engine (an engine that fails reports its error)."""
    found: dict[str, Any] = model(stock_item_bytes=stock_item_bytes)
    orders = 4 if quick else max(10, math.ceil(60 * scale))
    sellout = 4 if quick else max(8, math.ceil(24 * scale))
    clients = 2 if quick else 8
    warmup = 1 if quick else 3
    found["engines"] = list(engines)
    for engine in engines:
        world = world_for(engine)
        try:
            found[engine] = measure(world, orders=orders, sellout=sellout, clients=clients, warmup=warmup)
        except Exception as error:  # reported beside the others, as the harness does per figure
            found[engine] = {"error": f"{type(error).__name__}: {error}"}
        finally:
            world.local.reset(resume_pollers=True)
    return found
