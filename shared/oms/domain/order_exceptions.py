"""Exception orders (异常订单处理): what can go wrong, who owns it, by when, and how it may be settled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class ExceptionKind(StrEnum):
    payment_failed = "payment_failed"
    address_incomplete = "address_incomplete"
    refused = "refused"
    wrong_item = "wrong_item"
    missing_item = "missing_item"
    damaged = "damaged"
    lost = "lost"
    delayed = "delayed"


class ResolutionAction(StrEnum):
    reship = "reship"
    refund = "refund"
    partial_refund = "partial_refund"
    compensation = "compensation"
    contact_customer = "contact_customer"


DEFAULT_OWNER = "unassigned"
DEFAULT_RESPONSE_HOURS = 24
# Kinds that stop fulfilment: the order waits on hold until they are settled.
HOLDING_KINDS = frozenset({ExceptionKind.address_incomplete})
OPEN = "open"
RESOLVED = "resolved"


def default_deadline(opened_at: datetime) -> datetime:
    return opened_at + timedelta(hours=DEFAULT_RESPONSE_HOURS)


def open_entries(order: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(e) for e in order.get("exceptions", []) if e.get("status") == OPEN]


def holds_fulfilment(entries: Iterable[Mapping[str, Any]]) -> bool:
    return any(e.get("status") == OPEN and e.get("kind") in HOLDING_KINDS for e in entries)


def index_of(order: Mapping[str, Any], exception_id: str) -> int | None:
    for i, entry in enumerate(order.get("exceptions", [])):
        if entry.get("id") == exception_id:
            return i
    return None
