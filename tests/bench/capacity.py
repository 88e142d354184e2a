"""DynamoDB on-demand request units of logged requests, from item sizes (the rules of the DynamoDB guide).

- Item size: UTF-8 bytes of every attribute name plus its value; a number about (significant digits / 2)
  + 1 bytes; a map or list 3 bytes plus one per element plus its contents; BOOL and NULL 1 byte.
- Write: one WRU per started KiB of the item (the larger of before and after; the item as it ends up is
  used); a transactional write 2 per KiB. Each global secondary index the item is in costs a standard
  write of the projected size when a Put lands, or an Update changes a projected attribute (any attribute
  for ``ALL`` projections, only the index keys for ``KEYS_ONLY``).
- Read: one RRU per started 4 KiB, consistent; half for an eventually consistent read; a transactional
  read 2. A Query is charged on the summed size of what it returns (taken here as one 4 KiB unit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KIB = 1024


def value_size(value: Mapping[str, Any]) -> int:
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(str(raw).encode())
    if kind == "N":
        digits = Decimal(str(raw)).normalize().as_tuple().digits
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(v) + 1 for name, v in raw.items())
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in raw)
    return 0


def item_size(item: Mapping[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


@dataclass(frozen=True)
class Index:
    name: str
    keys: frozenset[str]
    projection: str  # ALL | KEYS_ONLY | INCLUDE


@dataclass
class Units:
    write: float = 0.0
    read: float = 0.0
    by_operation: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, label: str, write: float = 0.0, read: float = 0.0) -> None:
        self.write += write
        self.read += read
        found = self.by_operation.setdefault(label, {"write": 0.0, "read": 0.0, "requests": 0.0})
        found["write"] += write
        found["read"] += read


def indexes_of(create_args: Mapping[str, Any]) -> list[Index]:
    return [
        Index(
            index["IndexName"],
            frozenset(k["AttributeName"] for k in index["KeySchema"]),
            index.get("Projection", {}).get("ProjectionType", "ALL"),
        )
        for index in create_args.get("GlobalSecondaryIndexes", [])
    ]


def _write_units(size: int, transactional: bool) -> float:
    return max(1, math.ceil(size / KIB)) * (2 if transactional else 1)


def _read_units(size: int, consistent: bool, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / (4 * KIB)))
    if transactional:
        return units * 2.0
    return float(units) if consistent else units / 2


def _index_writes(item: Mapping[str, Any] | None, indexes: list[Index], touched: set[str] | None) -> float:
    """Standard writes to the indexes ``item`` is in; ``touched`` None for a Put (every index written)."""
    if not item:
        return 0.0
    units = 0.0
    for index in indexes:
        if not index.keys <= set(item):
            continue
        if touched is not None and not (index.projection == "ALL" or touched & index.keys):
            continue
        projected = (
            item_size(item)
            if index.projection == "ALL"
            else item_size({k: item[k] for k in index.keys} | {k: item[k] for k in ("pk", "sk") if k in item})
        )
        units += _write_units(projected, transactional=False)
    return units


def _touched(body: Mapping[str, Any]) -> set[str]:
    expression = str(body.get("UpdateExpression", ""))
    names = dict(body.get("ExpressionAttributeNames") or {})
    words = {w.strip(",=+-() ") for w in expression.replace(",", " ").split()}
    return {names.get(w, w) for w in words if w}


def estimate(
    requests: list[tuple[str, str, dict[str, Any]]],
    *,
    stored: Callable[[str, Mapping[str, Any]], dict[str, Any] | None],
    indexes: Mapping[str, list[Index]],
) -> Units:
    """Request units of ``requests`` (function, operation, params); ``stored(table, key)`` reads an item
    as it is now, for updates and reads whose size the request does not carry."""
    units = Units()

    def write(label: str, table: str, body: Mapping[str, Any], kind: str, transactional: bool) -> None:
        if kind == "Put":
            item = body["Item"]
            units.add(label, write=_write_units(item_size(item), transactional))
            units.add(label, write=_index_writes(item, indexes.get(table, []), None))
        elif kind == "Update":
            item = stored(table, body["Key"])
            units.add(label, write=_write_units(item_size(item or body["Key"]), transactional))
            units.add(label, write=_index_writes(item, indexes.get(table, []), _touched(body)))
        elif kind == "Delete":
            units.add(
                label, write=_write_units(item_size(stored(table, body["Key"]) or body["Key"]), transactional)
            )
        elif kind == "ConditionCheck":
            units.add(
                label, read=_read_units(item_size(stored(table, body["Key"])), True, transactional=True)
            )

    for function, operation, params in requests:
        label = f"{operation} ({function})"
        units.by_operation.setdefault(label, {"write": 0.0, "read": 0.0, "requests": 0.0})["requests"] += 1
        if operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                (kind, body), *_ = entry.items()
                write(label, body["TableName"], body, kind, transactional=True)
        elif operation in ("PutItem", "UpdateItem", "DeleteItem"):
            write(label, params["TableName"], params, operation.removesuffix("Item"), transactional=False)
        elif operation == "BatchWriteItem":
            for table, entries in params["RequestItems"].items():
                for entry in entries:
                    if "PutRequest" in entry:
                        write(label, table, entry["PutRequest"], "Put", transactional=False)
                    else:
                        write(label, table, entry["DeleteRequest"], "Delete", transactional=False)
        elif operation == "GetItem":
            size = item_size(stored(params["TableName"], params["Key"]))
            units.add(label, read=_read_units(size, bool(params.get("ConsistentRead"))))
        elif operation == "BatchGetItem":
            for table, ask in params["RequestItems"].items():
                for key in ask["Keys"]:
                    size = item_size(stored(table, key))
                    units.add(label, read=_read_units(size, bool(ask.get("ConsistentRead"))))
        elif operation in ("Query", "Scan"):
            units.add(label, read=_read_units(0, bool(params.get("ConsistentRead"))))
    return units
