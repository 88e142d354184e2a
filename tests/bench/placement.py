"""Figure 1: what placing one order costs, three ways side by side on one engine.

- raw: the DynamoDB work of one order made directly with boto3, in the service's request shapes: one
  BatchGetItem (product, pool stock and channel stock items, consistent) and one TransactWriteItems (the
  order Put with ``attribute_not_exists`` and the stock Update with ``available >= :q``).
- handlers: the validate-order and reserve-stock handlers (``functions/*/app.py`` loaded by path, as the
  local stack loads them) called in sequence in this thread with a Lambda context.
- http: ``POST /v1/orders`` through the local gateway, the storefront API function, its idempotency
  record and the place-order Express workflow run by moto's ASL interpreter.

The three run interleaved in rounds (the order rotating each round) on one table, and every round's
orders are deleted, their units put back and the queues emptied afterwards, so all three always meet
the same engine state (moto's TransactWriteItems copies the whole table and its SendMessage walks the
whole queue, so the run's history would otherwise leak into the figures).
"""

from __future__ import annotations

import contextlib
import functools
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from oms import aws, ids
from oms.domain.ordering import PlaceOrderRequest
from oms.store import keys
from oms.store.inventory import HAS_ENOUGH, TAKE
from oms.store.table import Table, serialize
from oms_local.testing import StackClient
from pyinstrument import Profiler

from tests.bench import probes, profile_split, seeding
from tests.bench.stats import ratio, summarize
from tests.e2e.shop import order_body

CUSTOMER = "cus_bench"
WAYS = ("raw", "handlers", "http")
GOAL_HANDLERS_OVER_RAW = 1.5
VALIDATE = "ValidateOrderFunction"
RESERVE = "ReserveStockFunction"


class OrderPlacer:
    """One engine's fixture: a stocked SKU and the three ways of placing an order of one unit of it."""

    def __init__(self, world: StackClient) -> None:
        self.world = world
        self.table = Table()
        self.client = aws.client("dynamodb")
        self.sku = seeding.stocked_product(self.table, 1_000_000)
        self.token = world.customer_token(CUSTOMER)
        self.body = order_body((self.sku, 1, seeding.PRICE))
        self.request = PlaceOrderRequest.model_validate(self.body).model_dump(mode="json")
        functions = world.cloud.functions
        self._validate_fn = functions.get(VALIDATE)
        self._reserve_fn = functions.get(RESERVE)
        self._validate = functions.handler(self._validate_fn)
        self._reserve = functions.handler(self._reserve_fn)
        self._functions = functions
        self._read_keys = [
            serialize(keys.key(pair))
            for pair in (keys.product(self.sku), keys.pool(self.sku), keys.channel(self.sku, "web"))
        ]
        self._pool_key = serialize(keys.key(keys.pool(self.sku)))
        self._created: list[tuple[str, str]] = []
        self._taken = 0
        # The raw way writes an order item of exactly the size and shape the service writes.
        first = self.handlers()
        stored = self.table.get(*keys.order(first))
        assert stored is not None
        self._order_template = serialize(stored)
        self.cleanup()

    # -- the three ways

    def raw(self) -> str:
        order_id = ids.new_id("ord")
        item = dict(self._order_template)
        item["pk"] = {"S": keys.order(order_id)[0]}
        item["id"] = {"S": order_id}
        name = self.table.name
        self.client.batch_get_item(RequestItems={name: {"Keys": self._read_keys, "ConsistentRead": True}})
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": name,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Update": {
                        "TableName": name,
                        "Key": self._pool_key,
                        "UpdateExpression": TAKE,
                        "ConditionExpression": HAS_ENOUGH,
                        "ExpressionAttributeValues": {":q": {"N": "1"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
        self._placed(order_id)
        return order_id

    def handlers(self) -> str:
        event = {
            "order_id": ids.new_id("ord"),
            "customer_id": CUSTOMER,
            "request_hash": "0" * 64,
            "request": self.request,
        }
        validate_context = self._functions.context(self._validate_fn)
        reserve_context = self._functions.context(self._reserve_fn)
        with probes.running("handlers"):
            order_id = self.run_handlers(event, validate_context, reserve_context)
        self._placed(order_id)
        return order_id

    def run_handlers(self, event: dict[str, Any], validate_context: Any, reserve_context: Any) -> str:
        """validate-order then reserve-stock, as the workflow chains them (the profile looks below this)."""
        checked = self._validate(event, validate_context)
        if not checked.get("ok"):
            raise AssertionError(f"validate-order refused the order: {checked}")
        placed = self._reserve(checked, reserve_context)
        if not placed.get("ok"):
            raise AssertionError(f"reserve-stock refused the order: {placed}")
        return str(placed["order"]["id"])

    def http(self) -> str:
        answer = self.world.request(
            "POST",
            "/v1/orders",
            json=self.body,
            token=self.token,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if answer.status != 201:
            raise AssertionError(f"POST /v1/orders answered {answer.status}: {answer.text}")
        order_id = str(answer.json()["id"])
        self._placed(order_id)
        return order_id

    # -- bookkeeping (never timed)

    def _placed(self, order_id: str) -> None:
        self._created.append(keys.order(order_id))
        self._taken += 1

    def cleanup(self) -> None:
        seeding.purge_queues(self.world.cloud.client("sqs"))
        if self._created:
            seeding.delete_keys(self.client, self.table.name, self._created)
            self._created = []
        if self._taken:
            seeding.restock(self.client, self.table.name, self.sku, self._taken)
            self._taken = 0

    def way(self, name: str) -> Callable[[], str]:
        return {"raw": self.raw, "handlers": self.handlers, "http": self.http}[name]


def _rounds(placer: OrderPlacer, ways: tuple[str, ...], rounds: int, warmup: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {way: [] for way in ways}
    for index in range(warmup + rounds):
        shift = index % len(ways)
        for way in ways[shift:] + ways[:shift]:
            run = placer.way(way)
            started = time.perf_counter()
            run()
            elapsed = time.perf_counter() - started
            if index >= warmup:
                samples[way].append(elapsed)
        placer.cleanup()
    return samples


def _mean_ms(timings: probes.Timings, label: str, rounds: int) -> float:
    return timings.seconds.get(label, 0.0) / rounds * 1000


def http_breakdown(placer: OrderPlacer, rounds: int) -> dict[str, Any]:
    """Where one ``POST /v1/orders`` spends its time, from the seams the request crosses (means)."""
    timings = probes.Timings()
    client_total = 0.0
    with probes.timed_seams(timings):
        for _ in range(rounds):
            started = time.perf_counter()
            placer.http()
            client_total += time.perf_counter() - started
            placer.cleanup()
    api = next(r.function for r in placer.world.cloud.template.routes if r.route_key == "POST /v1/orders")
    steps = (VALIDATE, RESERVE)

    def ms(label: str) -> float:
        return _mean_ms(timings, label, rounds)

    def sum_ms(prefix: str, suffix: str = "") -> float:
        return timings.total(prefix, suffix) / rounds * 1000

    total = client_total / rounds * 1000
    gateway = ms("gateway")
    api_invoke = ms(f"invoke:{api}")
    sync_execution = ms(f"aws:{api}:stepfunctions.StartSyncExecution")
    api_dynamodb = sum_ms(f"aws:{api}:dynamodb.")
    steps_invoke = sum(ms(f"invoke:{step}") for step in steps)
    # moto's interpreter may invoke from a worker thread: count every Lambda Invoke (pollers are paused).
    lambda_hops = timings.total("", ":lambda.Invoke") / rounds * 1000
    steps_dynamodb = sum(sum_ms(f"aws:{step}:dynamodb.") for step in steps)
    steps_events = sum(sum_ms(f"aws:{step}:events.") for step in steps)
    steps_other_aws = sum(sum_ms(f"aws:{step}:") for step in steps) - steps_dynamodb - steps_events
    parts = [
        ("HTTP client and server (request read, answer written)", total - gateway),
        ("gateway (routing, JWT check, payload v2 event)", gateway - api_invoke),
        (
            "API handler (resolver, request model, idempotency logic)",
            api_invoke - sync_execution - api_dynamodb,
        ),
        ("DynamoDB: idempotency record (API handler)", api_dynamodb),
        ("workflow engine: moto ASL interpreter", sync_execution - lambda_hops),
        ("workflow engine: Lambda invoke hops (boto3 + local endpoint)", lambda_hops - steps_invoke),
        (
            "steps: handler code (validate-order, reserve-stock)",
            steps_invoke - steps_dynamodb - steps_events - steps_other_aws,
        ),
        ("DynamoDB: steps (BatchGetItem, TransactWriteItems)", steps_dynamodb),
        ("EventBridge PutEvents (OrderPlaced; moto delivers to SQS)", steps_events),
    ]
    if abs(steps_other_aws) > 0.01:
        parts.append(("steps: other AWS calls", steps_other_aws))
    return {
        "rounds": rounds,
        "mean_total_ms": total,
        "parts": [
            {"part": name, "ms": value, "share": value / total if total else 0.0} for name, value in parts
        ],
        "calls_per_order": {
            label.split(":", 2)[2] + f" ({label.split(':', 2)[1]})": count / rounds
            for label, (_, count) in sorted(timings.snapshot().items())
            if label.startswith(("aws:", "nested:")) and not label.startswith("aws:stack:")
        },
        "method": (
            "Inclusive wall time at each seam the request crosses (tests/bench/probes.py wraps "
            "Gateway.handle, Functions.invoke and botocore's BaseClient._make_api_call for the pass), "
            "averaged over the rounds; each part is one seam minus the seams inside it, so the parts add "
            "up to the client-side total. Pollers paused: no consumer runs beside the request."
        ),
    }


def handlers_breakdown(placer: OrderPlacer, rounds: int, interval: float) -> dict[str, Any]:
    """The handlers way split twice: by AWS call (wrappers, exact) and by library (pyinstrument)."""
    timings = probes.Timings()
    walls: list[float] = []
    with probes.timed_seams(timings):
        for _ in range(rounds):
            started = time.perf_counter()
            placer.handlers()
            walls.append(time.perf_counter() - started)
            placer.cleanup()
    wall_ms = sum(walls) / rounds * 1000
    by_call = {
        label.removeprefix("aws:handlers:"): seconds / rounds * 1000
        for label, (seconds, _) in timings.snapshot().items()
        if label.startswith("aws:handlers:")
    }
    calls_ms = sum(by_call.values())
    profiler = Profiler(interval=interval)
    profiler.start()
    profiled_walls: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        placer.handlers()
        profiled_walls.append(time.perf_counter() - started)
        placer.cleanup()
    session = profiler.stop()
    total, categories = profile_split.split(session.root_frame(), "run_handlers")
    return {
        "rounds": rounds,
        "by_aws_call": {
            "mean_wall_ms": wall_ms,
            "calls_ms": dict(sorted(by_call.items())),
            "python_outside_calls_ms": wall_ms - calls_ms,
            "method": "botocore BaseClient._make_api_call wrapped: inclusive ms per call per order (means).",
        },
        "profile": {
            "interval_ms": interval * 1000,
            "samples_seconds": total,
            "mean_wall_ms_while_profiled": sum(profiled_walls) / rounds * 1000,
            "categories": [
                {
                    "category": name,
                    "share": seconds / total if total else 0.0,
                    "ms_at_unprofiled_mean": seconds / total * wall_ms if total else 0.0,
                }
                for name, seconds in sorted(categories.items(), key=lambda kv: -kv[1])
            ],
            "method": (
                "pyinstrument over the handlers way; below run_handlers the first frame on a path that "
                "belongs to a category takes its subtree (AWS calls, powertools logger, pydantic, item "
                "serialization, json, ids, clock), the rest is other Python; shares are applied to the "
                "unprofiled mean wall time."
            ),
        },
    }


@contextlib.contextmanager
def jsonpath_parser_cached() -> Iterator[None]:
    """moto's EventBridge builds a new JSONPath parser (a PLY grammar) for every target of every event;
    a cache shows what a one-line local-stack patch would buy. Benchmark-only, undone afterwards."""
    import jsonpath_ng.ext

    original = jsonpath_ng.ext.parse
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(original)
    try:
        yield
    finally:
        jsonpath_ng.ext.parse = original


def _ratios(samples: dict[str, dict[str, Any]], over: str = "raw") -> dict[str, dict[str, float]]:
    return {
        f"{way}_over_{over}": {
            "median": ratio(samples[way], samples[over]),
            "p99": ratio(samples[way], samples[over], "p99"),
        }
        for way in samples
        if way != over
    }


def run(
    world: StackClient, *, rounds: int, warmup: int, detail_rounds: int, interval: float
) -> dict[str, Any]:
    placer = OrderPlacer(world)
    samples = _rounds(placer, WAYS, rounds, warmup)
    summaries = {way: summarize(values) for way, values in samples.items()}
    ratios = _ratios(summaries)
    handlers_over_raw = ratios["handlers_over_raw"]["median"]
    with jsonpath_parser_cached():
        what_if = _rounds(placer, ("raw", "handlers"), detail_rounds, min(warmup, 5))
    what_if_summaries = {way: summarize(values) for way, values in what_if.items()}
    # Between rounds the table holds the catalogue and stock items; each round adds its three orders.
    between = world.cloud.client("dynamodb").scan(TableName=placer.table.name, Select="COUNT")["Count"]
    return {
        "rounds": rounds,
        "warmup_rounds": warmup,
        "table_items_during_rounds": between + len(WAYS),
        "sku": placer.sku,
        "ways": summaries,
        "ratios": ratios,
        "goal": {
            "handlers_over_raw_max": GOAL_HANDLERS_OVER_RAW,
            "handlers_over_raw": handlers_over_raw,
            "met": handlers_over_raw < GOAL_HANDLERS_OVER_RAW,
        },
        "http_breakdown": http_breakdown(placer, detail_rounds),
        "handlers_breakdown": handlers_breakdown(placer, detail_rounds, interval),
        "what_if_eventbridge_parser_cached": {
            "rounds": detail_rounds,
            "ways": what_if_summaries,
            "ratios": _ratios(what_if_summaries),
        },
    }
