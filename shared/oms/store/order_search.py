"""Back-office order search, newest first, from indexes only (never a scan).

- With a customer: that customer's ``by_customer`` partition, ``created_key`` in the period.
- Otherwise: the ``by_day`` index, one partition per UTC day an order was placed, walked from the last
  day of the period back to the first.

Status, channel, SKU and the exception flag are a ``FilterExpression`` on what the key reads, so a page
is bounded by what is read, not by what matches: one request reads at most ``MAX_READ`` index entries and
``MAX_QUERIES`` pages, and may then answer fewer than ``limit`` orders (even none) with a ``next_cursor``
to go on from. The cursor is the last evaluated key (and the day it was in), bound to the query it
belongs to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from oms import clock
from oms.domain.reports import MAX_DAYS
from oms.problems import FieldError, ValidationProblem
from oms.store import keys
from oms.store.table import Item, Table, deserialize, values, wire_key, with_retries

MAX_READ = 1000  # index entries one request may read
MAX_QUERIES = 100  # pages (a day each at least) one request may ask for: the default period in one go


SEARCH_DAYS = 90  # without a period (and a customer), the search looks back this many days
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class OrderQuery:
    start: datetime | None = None  # placed at or after (UTC); None: see window()
    end: datetime | None = None  # placed at or before (UTC); None: now
    customer_id: str | None = None
    status: str | None = None
    channel: str | None = None
    sku: str | None = None
    exception: bool | None = None

    def fingerprint(self) -> str:
        text = json.dumps([str(v) for v in self.__dict__.values()])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """The period searched: as given, else up to now, from the beginning for a customer's orders (one
        partition) and ``SEARCH_DAYS`` back otherwise (a partition a day)."""
        end = self.end or now
        if self.start:
            return self.start, end
        return (BEGINNING if self.customer_id else end - timedelta(days=SEARCH_DAYS - 1)), end


def _filter(query: OrderQuery) -> tuple[str | None, dict[str, str], dict[str, Any]]:
    parts, names, named = [], {}, {}
    if query.status:
        parts.append("#st = :st")
        names["#st"], named["st"] = "status", query.status
    if query.channel:
        parts.append("#ch = :ch")
        names["#ch"], named["ch"] = "channel", query.channel
    if query.sku:
        parts.append("contains(#skus, :sku)")
        names["#skus"], named["sku"] = "skus", query.sku
    if query.exception is not None:
        # An order that ever had an exception keeps the entry (resolved or not) in its list.
        parts.append("attribute_exists(#x)" if query.exception else "attribute_not_exists(#x)")
        names["#x"] = "exceptions"
    return (" AND ".join(parts) or None), names, named


def _encode(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode()


def _invalid_cursor() -> ValidationProblem:
    return ValidationProblem(
        "The cursor is not valid for this search; start again without it.",
        code="invalid_cursor",
        errors=[FieldError("cursor", "is not a cursor of this search")],
    )


def _decode(text: str, query: OrderQuery) -> dict[str, Any]:
    try:
        cursor = json.loads(base64.urlsafe_b64decode(text.encode()))
        if not isinstance(cursor, dict) or cursor.get("q") != query.fingerprint():
            raise ValueError("a cursor of another search")
        if cursor.get("day") is not None:
            date.fromisoformat(cursor["day"])
        first, last = cursor["window"]
        clock.parse(first), clock.parse(last)
        if cursor.get("key") is not None and not isinstance(cursor["key"], dict):
            raise ValueError("not a key")
        return cursor
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, UnicodeDecodeError) as error:
        raise _invalid_cursor() from error


def _key_of(item: Item, hash_name: str) -> dict[str, Any]:
    """The LastEvaluatedKey DynamoDB would give after ``item`` in this index."""
    return wire_key({name: item[name] for name in ("pk", "sk", hash_name, "created_key")})


def _checked_key(key: Any, hash_name: str, hash_value: str) -> dict[str, Any] | None:
    """A cursor's key, if it is one of this index and partition (a forged one is refused, not sent)."""
    if key is None:
        return None
    expected = {"pk", "sk", hash_name, "created_key"}
    if (
        not isinstance(key, dict)
        or set(key) != expected
        or not all(isinstance(v, dict) and isinstance(v.get("S"), str) and len(v) == 1 for v in key.values())
        or key[hash_name]["S"] != hash_value
    ):
        raise _invalid_cursor()
    return key


def _query(table: Table, **kwargs: Any) -> tuple[list[Item], dict[str, Any] | None, int]:
    """One page of an index query with a filter: (matches, LastEvaluatedKey, entries read)."""
    response = with_retries(lambda: table.client.query(TableName=table.name, **kwargs))
    items = [deserialize(raw) or {} for raw in response.get("Items", [])]
    return items, response.get("LastEvaluatedKey"), int(response.get("ScannedCount", len(items)))


def _window_of(query: OrderQuery, state: dict[str, Any]) -> tuple[datetime, datetime]:
    """The period a cursor keeps, else the one the query gives as of now."""
    if state:
        return clock.parse(state["window"][0]), clock.parse(state["window"][1])
    return query.window(clock.now())


def _partitions(
    query: OrderQuery, state: dict[str, Any], start_at: datetime, end_at: datetime
) -> tuple[str, str, list[str]]:
    """The index to read, the name of its hash key and its partitions in the order they are read."""
    if query.customer_id:
        return "by_customer", "customer_key", [keys.customer_orders(query.customer_id)]
    first_day, last_day = start_at.date(), end_at.date()
    day = date.fromisoformat(state["day"]) if state.get("day") else last_day
    if not first_day <= day <= last_day or (last_day - first_day).days >= MAX_DAYS:
        raise ValidationProblem("The cursor is not valid for this search.", code="invalid_cursor")
    return (
        "by_day",
        "order_day",
        [(day - timedelta(days=n)).isoformat() for n in range((day - first_day).days + 1)],
    )


def _page_request(
    query: OrderQuery, index: str, hash_name: str, partition: str, low: str, high: str, limit: int
) -> dict[str, Any]:
    """The arguments of one index query over ``partition``, reading at most ``limit`` entries."""
    condition, names, named = _filter(query)
    request: dict[str, Any] = {
        "IndexName": index,
        "KeyConditionExpression": "#h = :h AND created_key BETWEEN :low AND :high",
        "ExpressionAttributeNames": {"#h": hash_name, **names},
        "ExpressionAttributeValues": values(h=partition, low=low, high=high, **named),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if condition:
        request["FilterExpression"] = condition
    return request


def search(table: Table, query: OrderQuery, limit: int, cursor: str | None) -> tuple[list[Item], str | None]:
    """Up to ``limit`` orders matching ``query``, newest first, and the cursor to the rest (None: no more).

    A cursor keeps the period the first page searched, so "now" moving on does not shift the pages.
    """
    state = _decode(cursor, query) if cursor else {}
    start_at, end_at = _window_of(query, state)
    index, hash_name, partitions = _partitions(query, state, start_at, end_at)
    low = clock.iso(start_at)
    high = clock.iso(end_at) + "#~"  # created_key is "<placed_at>#<id>"

    def resume_at(partition: str, key: dict[str, Any] | None) -> str:
        return _encode(
            {
                "q": query.fingerprint(),
                "window": [low, clock.iso(end_at)],
                "day": partition if index == "by_day" else None,
                "key": key,
            }
        )

    found: list[Item] = []
    read = queries = 0
    start = _checked_key(state.get("key"), hash_name, partitions[0])
    for partition in partitions:
        while True:
            if len(found) >= limit or read >= MAX_READ or queries >= MAX_QUERIES:
                return found, resume_at(partition, start)
            # Read at least a useful page even when one more order is wanted: filters drop entries.
            request = _page_request(
                query,
                index,
                hash_name,
                partition,
                low,
                high,
                min(MAX_READ - read, max(limit - len(found), 50)),
            )
            if start:
                request["ExclusiveStartKey"] = start
            page, last, scanned = _query(table, **request)
            queries += 1
            read += scanned
            room = limit - len(found)
            if len(page) > room:  # more matched than the page holds: go on after the last one taken
                return found + page[:room], resume_at(partition, _key_of(page[room - 1], hash_name))
            found += page
            start = last
            if not last:
                break
    return found, None
