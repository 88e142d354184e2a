"""The benchmark run: which figures, on which engines, at what sample counts; returns one report dict.

Sample counts scale with ``scale`` (``BENCH_SCALE`` or ``--scale``); ``quick`` shrinks everything to a
smoke test. Each figure is measured in one go on every engine it runs on, and a figure that fails is
recorded with its error so the others still report.
"""

from __future__ import annotations

import functools
import math
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from oms_local.dynamodb_local import available as dynamodb_local_available
from oms_local.template import load
from oms_local.testing import StackClient, Worlds

from tests.bench import (
    cold_start,
    cost_model,
    hot_sku,
    jobs,
    machine,
    memory,
    placement,
    seeding,
    throughput_modes,
    webhooks,
)

FIGURES = ("placement", "throughput", "jobs", "cold_start", "memory", "hot_sku", "cost", "webhooks")


def _scaled(value: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, math.ceil(value * scale))


@dataclass
class Config:
    quick: bool = False
    scale: float = 1.0
    engines: list[str] = field(default_factory=lambda: ["moto", "local"])
    figures: list[str] = field(default_factory=lambda: list(FIGURES))

    # 1 placement
    placement_rounds: int = 0
    placement_warmup: int = 0
    detail_rounds: int = 0
    profile_interval: float = 0.0005
    # 2 throughput
    clients: list[int] = field(default_factory=list)
    throughput_orders: int = 0
    throughput_skus: int = 0
    throughput_repetitions: int = 1
    # 3 jobs
    jobs_sizes: dict[str, list[int]] = field(default_factory=dict)
    jobs_due: dict[str, int] = field(default_factory=dict)
    jobs_repetitions: int = 0
    seed_workers: int = 6
    # 4 cold start
    cold_repetitions: int = 0
    cold_only: list[str] | None = None
    cold_top_packages: int = 0
    # 5 memory
    memory_engine: str = "moto"
    memory_checkpoints: list[int] = field(default_factory=list)
    memory_consumers: list[bool] = field(default_factory=lambda: [True, False])
    memory_target: int = 10_000
    # 7 cost
    cost_orders: int = 0
    # 8 webhooks
    webhook_subscribers: list[int] = field(default_factory=list)
    webhook_orders: int = 0
    webhook_deliveries: int = 0

    @classmethod
    def build(
        cls,
        *,
        quick: bool,
        scale: float,
        engines: list[str] | None = None,
        figures: list[str] | None = None,
    ) -> Config:
        chosen = engines or (["moto"] if quick else ["moto", "local"])
        if not dynamodb_local_available():
            chosen = [e for e in chosen if e != "local"]
        config = cls(quick=quick, scale=scale, engines=chosen, figures=list(figures or FIGURES))
        if quick:
            config.placement_rounds, config.placement_warmup, config.detail_rounds = 8, 2, 4
            config.clients, config.throughput_orders, config.throughput_skus = [1, 4], 8, 4
            config.jobs_sizes = {e: [40, 120] for e in chosen}
            config.jobs_due = dict.fromkeys(chosen, 5)
            config.jobs_repetitions = 1
            config.cold_repetitions, config.cold_only, config.cold_top_packages = 1, ["validate_order"], 0
            config.memory_checkpoints = [3, 6]
            config.memory_consumers = [True]
            config.cost_orders = 3
            config.webhook_subscribers, config.webhook_orders, config.webhook_deliveries = [1], 3, 10
            return config
        config.placement_rounds = _scaled(150, scale, 5)
        config.placement_warmup = _scaled(30, scale, 2)
        config.detail_rounds = _scaled(30, scale, 3)
        config.clients = [1, 4, 16]
        config.throughput_orders = _scaled(40, scale, 8)
        config.throughput_repetitions = _scaled(3, scale)
        config.throughput_skus = 50
        # moto's TransactWriteItems copies the whole table, so the jobs' writes cost O(stored orders)
        # there: the 100,000-order figure runs on DynamoDB Local, moto shows the effect at small sizes.
        config.jobs_sizes = {
            "local": [1000, _scaled(100_000, scale, 2000)],
            "moto": [250, _scaled(1000, scale, 500)],
        }
        config.jobs_due = {"local": 100, "moto": 10}
        config.jobs_repetitions = _scaled(3, scale)
        config.cold_repetitions, config.cold_only, config.cold_top_packages = _scaled(7, scale), None, 8
        config.memory_checkpoints = [_scaled(50, scale, 5), _scaled(150, scale, 10)]
        config.cost_orders = _scaled(20, scale, 3)
        config.webhook_subscribers = [1, 8]
        config.webhook_orders = _scaled(20, scale, 3)
        config.webhook_deliveries = _scaled(300, scale, 20)
        return config


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def in_process(world: StackClient, work: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """``work`` with the stack's functions run in this process: the placement breakdown and the cost model
    time and count the AWS calls made inside the handlers, which worker processes would keep from them.
    (Figure 2 compares the two ways of running the functions.)"""

    def run() -> Any:
        with world.functions_in_process():
            return work(*args, **kwargs)

    return run


class Run:
    def __init__(self, config: Config, worlds: Worlds | None = None) -> None:
        self.config = config
        self._own_worlds = worlds is None
        self.worlds = worlds or Worlds()
        self.sink = seeding.CountingSink()
        self.figures: dict[str, Any] = {}
        self.timeline: list[dict[str, Any]] = []

    def world(self, engine: str) -> StackClient:
        started = time.perf_counter()
        world = self.worlds.get(engine)
        world.local.reset(resume_pollers=False)
        self.timeline.append({"event": f"stack ready ({engine})", "seconds": time.perf_counter() - started})
        return world

    def measure(self, name: str, engine: str | None, work: Callable[[], Any]) -> None:
        label = f"{name} ({engine})" if engine else name
        log(f"{label} ...")
        started = time.perf_counter()
        try:
            with seeding.handler_logs_to(self.sink):
                result = work()
        except Exception as error:
            result = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
            log(f"{label} FAILED: {type(error).__name__}: {error}")
        elapsed = time.perf_counter() - started
        self.timeline.append({"event": label, "seconds": elapsed, "loadavg_after": loadavg()})
        log(f"{label} done in {elapsed:.1f} s")
        if engine is None:
            self.figures[name] = result
        else:
            self.figures.setdefault(name, {})[engine] = result

    def execute(self) -> dict[str, Any]:
        config = self.config
        info = machine.describe()
        info["loadavg_at_start"] = loadavg()
        started = time.perf_counter()
        try:
            for engine in config.engines:
                if not {"placement", "throughput", "jobs"} & set(config.figures):
                    break
                world = self.world(engine)
                if "placement" in config.figures:
                    self.measure(
                        "placement",
                        engine,
                        in_process(
                            world,
                            placement.run,
                            world,
                            rounds=config.placement_rounds,
                            warmup=config.placement_warmup,
                            detail_rounds=config.detail_rounds,
                            interval=config.profile_interval,
                        ),
                    )
                if "throughput" in config.figures:
                    self.measure(
                        "throughput",
                        engine,
                        functools.partial(
                            throughput_modes.run,
                            world,
                            clients=config.clients,
                            base_orders=config.throughput_orders,
                            skus=config.throughput_skus,
                            repetitions=config.throughput_repetitions,
                        ),
                    )
                if "jobs" in config.figures and engine in config.jobs_sizes:
                    self.measure(
                        "jobs",
                        engine,
                        functools.partial(
                            jobs.run,
                            world,
                            sizes=config.jobs_sizes[engine],
                            due=config.jobs_due[engine],
                            repetitions=config.jobs_repetitions,
                            seed_workers=config.seed_workers,
                        ),
                    )
                world.local.reset(resume_pollers=True)
            if "cost" in config.figures:
                world = self.world(config.engines[0])
                self.measure(
                    "cost",
                    config.engines[0],
                    in_process(world, cost_model.run, world, orders=config.cost_orders, log_sink=self.sink),
                )
                world.local.reset(resume_pollers=True)
            if "webhooks" in config.figures:
                world = self.world(config.engines[0])
                self.measure(
                    "webhooks",
                    config.engines[0],
                    functools.partial(
                        webhooks.run,
                        world,
                        subscriber_counts=config.webhook_subscribers,
                        orders=config.webhook_orders,
                        deliveries=config.webhook_deliveries,
                    ),
                )
                world.local.reset(resume_pollers=True)
            if "hot_sku" in config.figures:
                stock_bytes = self._stock_item_bytes()
                self.measure(
                    "hot_sku",
                    None,
                    lambda: hot_sku.run(
                        self.world,
                        config.engines,
                        stock_item_bytes=stock_bytes,
                        quick=config.quick,
                        scale=config.scale,
                    ),
                )
            if "cold_start" in config.figures:
                self.measure(
                    "cold_start",
                    None,
                    lambda: cold_start.run(
                        load(),
                        repetitions=config.cold_repetitions,
                        only=config.cold_only,
                        top_imports=config.cold_top_packages,
                    ),
                )
            if "memory" in config.figures:
                for pollers in config.memory_consumers:
                    self.measure(
                        "memory",
                        "consumers running" if pollers else "consumers paused",
                        functools.partial(
                            memory.run,
                            engine=config.memory_engine,
                            checkpoints=config.memory_checkpoints,
                            target=config.memory_target,
                            timeout=900,
                            pollers=pollers,
                        ),
                    )
        finally:
            if self._own_worlds:
                self.worlds.close()
        info["loadavg_at_end"] = loadavg()
        info["run_seconds"] = time.perf_counter() - started
        return {
            "meta": {
                **info,
                "engines": config.engines,
                "engine_names": {
                    "moto": "moto (in the stack's process; workers reach it over HTTP)",
                    "local": "Amazon DynamoDB Local (JVM)",
                },
                "config": asdict(config),
                "handler_log_bytes": self.sink.bytes,
                "timeline": self.timeline,
            },
            "figures": self.figures,
        }

    def _stock_item_bytes(self) -> int:
        found = self.figures.get("cost", {})
        for result in found.values() if isinstance(found, dict) else []:
            if isinstance(result, dict) and "item_bytes" in result:
                return int(result["item_bytes"]["stock_pool"])
        return 120  # pk, sk, on_hand, reserved, available, received: about 120 bytes


def run(config: Config, worlds: Worlds | None = None) -> dict[str, Any]:
    return Run(config, worlds).execute()
