"""Injected DynamoDB faults: throttling and transaction conflicts as AWS answers them, and crashes between writes.

Neither moto nor DynamoDB Local ever throttles or reports a ``TransactionConflict``. This layer makes the
service's own DynamoDB clients (``oms.aws.client``, which also serves the idempotency layer) meet them: a
botocore ``before-send`` hook answers a share of the data calls itself, with HTTP 400 and the JSON error
body DynamoDB sends, so botocore parses and retries them as it would AWS's (throttling is retried by the
standard retry mode, a cancelled transaction is not). A faulted call never reaches the engine: as with
AWS, nothing was written.

- ``with inject(0.2, seed=1) as faults:`` (tests), or ``OMS_FAULTS=0.2`` for the local stack (a load run).
  ``faults.injected`` counts what was injected per error, ``faults.calls`` the data calls seen.
- Which call fails is drawn from a ``random.Random(seed)`` in call order: one thread replays exactly; under
  concurrency the n-th call gets the n-th draw.
- ``with crash_after_write(n):`` raises :class:`InjectedCrash` right after the n-th DynamoDB write of the
  block succeeded, as a Lambda that dies between two writes; ``with count_writes() as writes:`` counts them.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.retries.standard import ExponentialBackoff
from oms import aws

# The errors, keyed by a short name. Each fits some operations only.
# TransactionCanceledException whose CancellationReasons hold a TransactionConflict:
TRANSACTION_CONFLICT = "transaction_conflict"
WRITE_CONFLICT = "write_conflict"  # TransactionConflictException: a single-item write met a transaction
PROVISIONED = "provisioned_throughput"  # ProvisionedThroughputExceededException
THROTTLING = "throttling"  # ThrottlingException
KINDS = (TRANSACTION_CONFLICT, WRITE_CONFLICT, PROVISIONED, THROTTLING)

READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
_FITS = {
    TRANSACTION_CONFLICT: frozenset({"TransactWriteItems"}),
    WRITE_CONFLICT: frozenset({"PutItem", "UpdateItem", "DeleteItem"}),
    PROVISIONED: READS | WRITES,
    THROTTLING: READS | WRITES,
}
DEFAULT_WEIGHTS: Mapping[str, float] = {
    TRANSACTION_CONFLICT: 1,
    WRITE_CONFLICT: 1,
    PROVISIONED: 1,
    THROTTLING: 1,
}

_PREFIX = "com.amazonaws.dynamodb.v20120810#"
# botocore waits rand(0, 1) * 2^i seconds before retrying a throttled call; tests shorten it.
FAST_THROTTLING_SCALE = 0.01
_THROTTLING_SCALE = ExponentialBackoff._DEFAULT_BACKOFF_CONFIG["throttling_base_scale"]


class InjectedCrash(Exception):
    """Raised after a DynamoDB write succeeded: the step died between two writes."""


def error_body(kind: str, transact_items: int = 0, conflicted: tuple[int, ...] = ()) -> dict[str, Any]:
    """The JSON body DynamoDB answers with (status 400) for ``kind``."""
    if kind == TRANSACTION_CONFLICT:
        reasons: list[dict[str, str]] = [{"Code": "None"} for _ in range(transact_items)]
        for index in conflicted:
            reasons[index] = {
                "Code": "TransactionConflict",
                "Message": "Transaction is ongoing for the item",
            }
        codes = ", ".join(r["Code"] for r in reasons)
        return {
            "__type": f"{_PREFIX}TransactionCanceledException",
            "Message": f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            "CancellationReasons": reasons,
        }
    if kind == WRITE_CONFLICT:
        return {
            "__type": f"{_PREFIX}TransactionConflictException",
            "message": "Transaction is ongoing for the item",
        }
    if kind == PROVISIONED:
        return {
            "__type": f"{_PREFIX}ProvisionedThroughputExceededException",
            "message": "The level of configured provisioned throughput for the table was exceeded. "
            "Consider increasing your provisioning level with the UpdateTable API.",
        }
    if kind == THROTTLING:
        return {
            "__type": "com.amazon.coral.availability#ThrottlingException",
            "message": "Throughput exceeds the current capacity of your table or index.",
        }
    raise ValueError(f"unknown fault {kind!r}")


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _operation(event_name: str) -> str:
    return event_name.rsplit(".", 1)[-1]


@dataclass
class Faults:
    """``rate`` of the DynamoDB data calls fail; the error is drawn by ``weights`` among those that fit."""

    rate: float = 0.2
    seed: int = 1  # Random(0) happens to draw nothing under 0.2 for its first 25 calls
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    injected: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)  # per operation
    faulted: Counter[str] = field(default_factory=Counter)  # per operation

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError("the fault rate is a share between 0 and 1")
        unknown = set(self.weights) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self, operation: str, transact_items: int = 0) -> dict[str, Any] | None:
        """The error body to answer this call with, or None to let it through."""
        if operation not in READS | WRITES:
            return None  # table management and the like
        with self._lock:
            self.calls[operation] += 1
            if self._random.random() >= self.rate:
                return None
            fitting = [(k, w) for k, w in self.weights.items() if w > 0 and operation in _FITS[k]]
            if not fitting:
                return None
            kind = self._random.choices([k for k, _ in fitting], [w for _, w in fitting])[0]
            conflicted: tuple[int, ...] = ()
            if kind == TRANSACTION_CONFLICT and transact_items:
                count = self._random.randint(1, max(1, transact_items // 2))
                conflicted = tuple(sorted(self._random.sample(range(transact_items), count)))
            self.injected[kind] += 1
            self.faulted[operation] += 1
        return error_body(kind, transact_items, conflicted)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def total_injected(self) -> int:
        return sum(self.injected.values())


@dataclass
class WriteCounter:
    """Counts the DynamoDB writes that succeeded; with ``crash_at``, raises after that one."""

    crash_at: int | None = None
    writes: list[str] = field(default_factory=list)
    crashed: bool = False

    def after_write(self, operation: str) -> None:
        self.writes.append(operation)
        if self.crash_at is not None and len(self.writes) == self.crash_at and not self.crashed:
            self.crashed = True
            raise InjectedCrash(f"crash after write {self.crash_at} ({operation})")


_faults: Faults | None = None
_writes: WriteCounter | None = None


def _before_send(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
    faults = _faults
    if faults is None:
        return None
    operation = _operation(event_name)
    items = 0
    if operation == "TransactWriteItems":
        items = len(json.loads(request.body or b"{}").get("TransactItems", []))
    body = faults.draw(operation, items)
    if body is None:
        return None
    url = request.url
    # moto answers on the generic before-send event after this one: point the request where it does not
    # answer, so the faulted call changes nothing, as AWS's refusal would.
    request.url = "http://fault-injected.invalid/"
    headers = {"x-amzn-RequestId": "fault-injected", "Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse(url, 400, headers, _Raw(json.dumps(body).encode()))


def _after_call(http_response: Any, event_name: str, **_: Any) -> None:
    counter = _writes
    if counter is None or http_response is None or not 200 <= http_response.status_code < 300:
        return
    operation = _operation(event_name)
    if operation in WRITES:
        counter.after_write(operation)


def _attach(service: str, client: Any) -> None:
    if service == "dynamodb":
        client.meta.events.register("before-send.dynamodb", _before_send, unique_id="oms-faults-send")
        client.meta.events.register("after-call.dynamodb", _after_call, unique_id="oms-faults-after")


def install() -> None:
    """Attach to every DynamoDB client ``oms.aws`` makes from now on (once; clients made before are dropped)."""
    if _attach not in aws.client_hooks:
        aws.client_hooks.append(_attach)
        aws.reset()


def start(faults: Faults, *, fast_backoff: bool = False) -> Faults:
    """Switch ``faults`` on for the whole process (the local stack); :func:`stop` switches them off."""
    global _faults
    install()
    if fast_backoff:
        ExponentialBackoff._DEFAULT_BACKOFF_CONFIG = {
            **ExponentialBackoff._DEFAULT_BACKOFF_CONFIG,
            "throttling_base_scale": FAST_THROTTLING_SCALE,
        }
    _faults = faults
    return faults


def stop() -> None:
    global _faults
    _faults = None
    ExponentialBackoff._DEFAULT_BACKOFF_CONFIG = {
        **ExponentialBackoff._DEFAULT_BACKOFF_CONFIG,
        "throttling_base_scale": _THROTTLING_SCALE,
    }


@contextlib.contextmanager
def inject(
    rate: float = 0.2,
    *,
    seed: int = 1,
    weights: Mapping[str, float] | None = None,
    fast_backoff: bool = True,
) -> Iterator[Faults]:
    """Faults on inside the block. ``fast_backoff`` shortens botocore's throttling backoff (1 s scale) so
    a test stays quick; the retry decisions stay botocore's."""
    faults = Faults(rate=rate, seed=seed, weights=dict(weights or DEFAULT_WEIGHTS))
    start(faults, fast_backoff=fast_backoff)
    try:
        yield faults
    finally:
        stop()


def from_environment() -> Faults | None:
    """``OMS_FAULTS=0.2`` (a share of DynamoDB calls, 0 or unset for none); ``OMS_FAULTS_SEED`` (default 1)."""
    raw = os.environ.get("OMS_FAULTS", "").strip()
    if not raw:
        return None
    try:
        rate = float(raw)
    except ValueError as error:
        raise ValueError(f"OMS_FAULTS must be a share between 0 and 1, not {raw!r}") from error
    if rate <= 0:
        return None
    return start(Faults(rate=rate, seed=int(os.environ.get("OMS_FAULTS_SEED") or 1)))


@contextlib.contextmanager
def count_writes() -> Iterator[WriteCounter]:
    """Count the DynamoDB writes that succeed inside the block (``.writes``: their operations)."""
    global _writes
    install()
    counter = WriteCounter()
    _writes = counter
    try:
        yield counter
    finally:
        _writes = None


@contextlib.contextmanager
def crash_after_write(n: int) -> Iterator[WriteCounter]:
    """Raise :class:`InjectedCrash` once the n-th DynamoDB write inside the block has succeeded."""
    global _writes
    install()
    counter = WriteCounter(crash_at=n)
    _writes = counter
    try:
        yield counter
    finally:
        _writes = None
