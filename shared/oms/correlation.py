"""One correlation id follows an order through the API, its workflows, the bus, queues and webhooks.

It is born at the HTTP edge (the caller's ``X-Correlation-Id``, else the API request id), travels in
every domain event's detail and every workflow input as ``correlation_id``, and is picked up again by
bus consumers and workflow steps. Wherever it is in force, every log line carries it (and the order id),
so one CloudWatch Logs Insights query finds the whole story of an order.

It is kept in a context variable, not on the module: the local stack runs several functions in one
process on different threads, and each thread sees its own value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

from oms import ids
from oms.observability import logger

HEADER = "X-Correlation-Id"
FIELD = "correlation_id"

# What a caller may hand us: short and log-safe (no spaces, quotes or control characters).
_ACCEPTED = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)

R = TypeVar("R")


def current() -> str | None:
    return _current.get()


def use(correlation_id: str | None, order_id: str | None = None) -> str:
    """Put ``correlation_id`` (a new one when missing) in force for this invocation and its log lines."""
    value = correlation_id or ids.new_id("cor")
    _current.set(value)
    logger.set_correlation_id(value)
    if order_id:
        logger.append_keys(order_id=order_id)
    return value


def clear() -> None:
    _current.set(None)


def from_http(event: Mapping[str, Any]) -> str:
    """The caller's ``X-Correlation-Id`` when it is well formed, else the API Gateway request id."""
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    given = str(headers.get(HEADER.lower()) or "").strip()
    if _ACCEPTED.fullmatch(given):
        return given
    request_id = (event.get("requestContext") or {}).get("requestId")
    return str(request_id) if request_id else ids.new_id("cor")


def http_keys(event: Mapping[str, Any]) -> dict[str, str]:
    """``order_id`` or ``return_id`` from a route's ``{id}`` (``/v1/orders/{id}/…``, ``/v1/returns/{id}``)."""
    item_id = (event.get("pathParameters") or {}).get("id")
    route = str(event.get("routeKey") or "")
    if not item_id:
        return {}
    if "/orders/{id}" in route:
        return {"order_id": str(item_id)}
    if "/returns/{id}" in route:
        return {"return_id": str(item_id)}
    return {}


def from_payload(payload: Mapping[str, Any]) -> str | None:
    """The id a domain event's detail or a workflow step's input carries, if any."""
    value = payload.get(FIELD) if isinstance(payload, Mapping) else None
    return str(value) if value else None


def stamp(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the id in force added (a value already there wins: it came from upstream)."""
    value = current()
    if not value or payload.get(FIELD):
        return payload
    return {**payload, FIELD: value}


def use_step_input(event: Mapping[str, Any], id_field: str = "order_id") -> str:
    """For a workflow step: the id from its input (a new one when the caller sent none)."""
    order_id = event.get(id_field) if isinstance(event, Mapping) else None
    return use(from_payload(event), str(order_id) if order_id else None)


def echo(response: dict[str, Any], correlation_id: str) -> dict[str, Any]:
    """An API answer with ``X-Correlation-Id`` set, so the caller can quote it."""
    headers = dict(response.get("headers") or {})
    headers[HEADER] = correlation_id
    return {**response, "headers": headers}


def starts_chain(handler: Callable[[Any, Any], R]) -> Callable[[Any, Any], R]:
    """For a scheduled job: each run is a chain of its own, named after its Lambda request id."""

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> R:
        use(getattr(context, "aws_request_id", None))
        return handler(event, context)

    return run
