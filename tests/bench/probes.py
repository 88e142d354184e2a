"""Measuring inside the local stack without changing it: wrappers around its seams, and botocore hooks.

:func:`timed_seams` wraps, for the duration of a ``with`` block, the seams a request crosses:

- ``Gateway.handle`` (the local API Gateway, after the HTTP request is read),
- ``Functions.invoke`` (every Lambda handler run, by function), which also marks the thread as running
  that function so the AWS calls made inside are attributed to it,
- ``BaseClient._make_api_call`` (every boto3 call, inclusive of the engine's work: moto in-process or
  the round trip to DynamoDB Local). Calls made inside another call in the same thread (moto's Step
  Functions interpreter invoking Lambda through boto3) are recorded as nested, so totals never count
  the same time twice.

:func:`counted_calls` registers a botocore ``before-call`` hook on every client made while it is active
and counts operations per function, with the DynamoDB request parameters kept for capacity estimates.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.client

_local = threading.local()

OUTSIDE = "stack"  # calls made outside any handler: the local stack's own machinery, or the bench


def current_function() -> str:
    stack: list[str] = getattr(_local, "functions", [])
    return stack[-1] if stack else OUTSIDE


@contextlib.contextmanager
def _running(function: str) -> Iterator[None]:
    stack: list[str] = getattr(_local, "functions", None) or []
    _local.functions = stack
    stack.append(function)
    try:
        yield
    finally:
        stack.pop()


@dataclass
class Timings:
    """Inclusive seconds and counts per label, from any thread."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counts: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, elapsed: float) -> None:
        with self.lock:
            self.seconds[label] += elapsed
            self.counts[label] += 1

    def total(self, prefix: str = "", suffix: str = "") -> float:
        with self.lock:
            return sum(v for k, v in self.seconds.items() if k.startswith(prefix) and k.endswith(suffix))

    def reset(self) -> None:
        with self.lock:
            self.seconds.clear()
            self.counts.clear()

    def snapshot(self) -> dict[str, tuple[float, int]]:
        with self.lock:
            return {k: (self.seconds[k], self.counts[k]) for k in self.seconds}


def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> Callable[[], None]:
    original = owner.__dict__[name]
    setattr(owner, name, make(original))
    return lambda: setattr(owner, name, original)


@contextlib.contextmanager
def timed_seams(timings: Timings) -> Iterator[Timings]:
    """Labels: ``gateway``, ``invoke:<LogicalId>``, ``aws:<function>:<service>.<Operation>`` (top-level
    calls) and ``nested:<function>:<service>.<Operation>`` (a call inside another call of that thread)."""
    from oms_local.functions import Functions
    from oms_local.gateway import Gateway

    def wrap_handle(original: Callable[..., Any]) -> Callable[..., Any]:
        def handle(self: Any, request: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(self, request)
            finally:
                timings.add("gateway", time.perf_counter() - started)

        return handle

    def wrap_invoke(original: Callable[..., Any]) -> Callable[..., Any]:
        def invoke(self: Any, name_or_arn: str, event: Any, request_id: str | None = None) -> Any:
            logical_id = self.get(name_or_arn).logical_id
            started = time.perf_counter()
            try:
                with _running(logical_id):
                    return original(self, name_or_arn, event, request_id)
            finally:
                timings.add(f"invoke:{logical_id}", time.perf_counter() - started)

        return invoke

    def wrap_call(original: Callable[..., Any]) -> Callable[..., Any]:
        def make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
            depth = getattr(_local, "depth", 0)
            _local.depth = depth + 1
            started = time.perf_counter()
            try:
                return original(self, operation_name, api_params)
            finally:
                _local.depth = depth
                service = self.meta.service_model.service_name
                kind = "aws" if depth == 0 else "nested"
                timings.add(
                    f"{kind}:{current_function()}:{service}.{operation_name}", time.perf_counter() - started
                )

        return make_api_call

    undo = [
        _patch(Gateway, "handle", wrap_handle),
        _patch(Functions, "invoke", wrap_invoke),
        _patch(botocore.client.BaseClient, "_make_api_call", wrap_call),
    ]
    try:
        yield timings
    finally:
        for restore in reversed(undo):
            restore()


@dataclass
class CallLog:
    """Operations per function (``before-call`` events), with DynamoDB parameters for capacity estimates."""

    operations: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (function, service, op)
    dynamodb: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (function, op, params)
    invocations: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_before_call(self, model: Any, params: Any, **_: Any) -> None:
        service = model.service_model.service_name
        function = current_function()
        with self.lock:
            self.operations[(function, service, model.name)] += 1
            if service == "dynamodb":
                # before-call sees the serialized request; DynamoDB's body is the request as JSON.
                body = params.get("body") or b"{}"
                self.dynamodb.append((function, model.name, json.loads(body)))


@contextlib.contextmanager
def counted_calls(log: CallLog) -> Iterator[CallLog]:
    """Count every AWS call made by clients created while active, and every handler invocation.

    Cached clients are dropped first (the service's, the local stack's interpreter's), so the ones made
    afterwards carry the hook; the local stack's own pollers keep theirs and are accounted analytically.
    """
    from oms import aws
    from oms_local import moto_patches
    from oms_local.functions import Functions

    def wrap_create(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(self, *args, **kwargs)
            client.meta.events.register("before-call.*.*", log.on_before_call)
            return client

        return create_client

    def wrap_invoke(original: Callable[..., Any]) -> Callable[..., Any]:
        def invoke(self: Any, name_or_arn: str, event: Any, request_id: str | None = None) -> Any:
            logical_id = self.get(name_or_arn).logical_id
            with log.lock:
                log.invocations[logical_id] += 1
            with _running(logical_id):
                return original(self, name_or_arn, event, request_id)

        return invoke

    undo = [
        _patch(botocore.client.ClientCreator, "create_client", wrap_create),
        _patch(Functions, "invoke", wrap_invoke),
    ]
    aws.reset()
    moto_patches.forget_clients()
    try:
        yield log
    finally:
        for restore in reversed(undo):
            restore()
        aws.reset()
        moto_patches.forget_clients()


@contextlib.contextmanager
def running(label: str) -> Iterator[None]:
    """Attribute the AWS calls made inside the block to ``label`` (handlers called directly, not invoked)."""
    with _running(label):
        yield
