"""Round trips over HTTP on the local stack, per engine: /health, a handler that reads DynamoDB, placing
orders one at a time, and orders per second with 8 concurrent clients.

    .venv/bin/python -m tests.bench.roundtrips [moto] [local]
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable

from oms_local.testing import Worlds

from tests.e2e.shop import ok, order_body, place, product


def pct(xs: list[float], p: float) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(engine: str, n: int = 300) -> None:
    worlds = Worlds()
    t0 = time.perf_counter()
    stack = worlds.get(engine)
    boot = time.perf_counter() - t0
    try:
        sku = product(stack, 100000)
        token = stack.customer_token()

        def timed(fn: Callable[[], object], count: int) -> list[float]:
            out = []
            for _ in range(count):
                start = time.perf_counter()
                fn()
                out.append((time.perf_counter() - start) * 1000)
            return out

        health = timed(lambda: stack.request("GET", "/health"), n)
        read = timed(lambda: stack.request("GET", f"/v1/products/{sku}", token=token), n)
        orders = timed(lambda: ok(place(stack, order_body((sku, 1, 3900))), 201), 100)
        done: list[int] = []

        def client() -> None:
            for _ in range(25):
                ok(place(stack, order_body((sku, 1, 3900)), f"cus_{uuid.uuid4().hex[:6]}"), 201)
                done.append(1)

        threads = [threading.Thread(target=client) for _ in range(8)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        rate = len(done) / (time.perf_counter() - t)
        for name, xs in (
            ("health", health),
            ("product read (DynamoDB)", read),
            ("place order (sequential)", orders),
        ):
            print(
                f"{engine:6} {name:28} median {statistics.median(xs):7.2f} ms  p99 {pct(xs, 99):7.2f} ms  n={len(xs)}"
            )
        print(
            f"{engine:6} orders/s with 8 concurrent clients: {rate:.1f} ({len(done)} orders)  boot {boot:.1f}s (in-process, incl. engine)"
        )
    finally:
        worlds.close()


if __name__ == "__main__":
    for engine in sys.argv[1:] or ["moto", "local"]:
        main(engine)
