"""A thin typed layer over the DynamoDB client: plain Python values in and out, errors that mean something.

Numbers are stored as integers only (money in minor units, counts), so reads give ``int``, never ``Decimal``.
Transient failures (throttling, transaction conflicts) are retried here with jittered backoff a bounded
number of times; a failed condition is an answer, not a fault, and is never retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypedDict, TypeVar

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from typing_extensions import Unpack

from oms import aws
from oms.config import require, settings

require("TABLE_NAME", by=__name__)

Item = dict[str, Any]
T = TypeVar("T")

_serializer = TypeSerializer()

TRANSIENT_ERRORS = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
        "TransactionInProgressException",
        # A single-item write that met a transaction in progress on its item: the same race, not an answer.
        "TransactionConflictException",
    }
)
MAX_ATTEMPTS = 6
BASE_DELAY = 0.02
MAX_DELAY = 0.5


class ConditionFailed(Exception):
    """A conditional write found the item in another state; ``item`` is what it found (or None)."""

    def __init__(self, item: Item | None) -> None:
        super().__init__("condition failed")
        self.item = item


class TransactionCancelled(Exception):
    """A transaction failed a condition; ``reasons[i]`` is the code for operation ``i`` ('None' when fine)."""

    def __init__(self, reasons: list[str], items: list[Item | None]) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons
        self.items = items

    def failed(self, index: int) -> bool:
        return self.reasons[index] == "ConditionalCheckFailed"


class StoreBusy(Exception):
    """Still throttled or conflicting after the retries: the caller (a workflow, a queue) retries later."""


def compact(value: Any) -> Any:
    """Drop ``None`` everywhere: an absent attribute reads back the same way it was written."""
    if isinstance(value, Mapping):
        return {k: compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(compact(v)) for k, v in item.items() if v is not None}


def wire_key(key: Mapping[str, str]) -> dict[str, Any]:
    """A key as DynamoDB's API takes it (an ``ExclusiveStartKey``)."""
    return serialize(key)


def _value(av: Mapping[str, Any]) -> Any:
    (kind, raw), *_ = av.items()
    if kind == "S":
        return raw
    if kind == "N":
        number = Decimal(raw)
        return int(number) if number == number.to_integral_value() else number
    if kind == "BOOL":
        return raw
    if kind == "M":
        return {k: _value(v) for k, v in raw.items()}
    if kind == "L":
        return [_value(v) for v in raw]
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {int(Decimal(n)) for n in raw}
    return raw


def deserialize(item: Mapping[str, Any] | None) -> Item | None:
    if not item:
        return None
    return {k: _value(v) for k, v in item.items()}


def values(**named: Any) -> dict[str, Any]:
    """Expression attribute values from keyword arguments: ``values(qty=2)`` -> ``{":qty": {"N": "2"}}``."""
    return {f":{k}": _serializer.serialize(v) for k, v in named.items()}


def _is_transient(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    if code in TRANSIENT_ERRORS:
        return True
    if code == "TransactionCanceledException":
        reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
        # A conflict with another transaction is worth retrying; a failed condition is an answer.
        return "ConditionalCheckFailed" not in reasons and any(
            r in ("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded") for r in reasons
        )
    return False


def with_retries(call: Callable[[], T], attempts: int = MAX_ATTEMPTS) -> T:
    for attempt in range(attempts):
        try:
            return call()
        except ClientError as error:
            if not _is_transient(error):
                raise
            if attempt == attempts - 1:
                raise StoreBusy(str(error)) from error
            time.sleep(random.uniform(0, min(MAX_DELAY, BASE_DELAY * 2**attempt)))
    raise AssertionError("unreachable")


def expression_parts(
    condition: str | None, names: Mapping[str, str] | None, expression_values: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The optional parts of a write: DynamoDB refuses empty names or values, so absent ones are left out."""
    parts: dict[str, Any] = {}
    if condition:
        parts["ConditionExpression"] = condition
    if names:
        parts["ExpressionAttributeNames"] = dict(names)
    if expression_values:
        parts["ExpressionAttributeValues"] = dict(expression_values)
    return parts


class Guard(TypedDict, total=False):
    """A single-item write's condition and the names and values its expressions use."""

    condition: str | None
    names: dict[str, str] | None
    expression_values: dict[str, Any] | None


def _guarded(**guard: Unpack[Guard]) -> dict[str, Any]:
    """A single-item write's parts; a failed condition hands back the item it found."""
    condition = guard.get("condition")
    parts = expression_parts(condition, guard.get("names"), guard.get("expression_values"))
    if condition:
        parts["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return parts


class Table:
    def __init__(self, name: str | None = None) -> None:
        self.name = name or settings().table_name

    @property
    def client(self) -> Any:
        return aws.client("dynamodb")

    def get(self, pk: str, sk: str, *, consistent: bool = True) -> Item | None:
        response = with_retries(
            lambda: self.client.get_item(
                TableName=self.name, Key=serialize({"pk": pk, "sk": sk}), ConsistentRead=consistent
            )
        )
        return deserialize(response.get("Item"))

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Item]:
        """BatchGetItem, consistent, following UnprocessedKeys; at most 100 keys."""
        pending = {
            self.name: {"Keys": [serialize({"pk": pk, "sk": sk}) for pk, sk in keys], "ConsistentRead": True}
        }
        found: dict[tuple[str, str], Item] = {}
        attempt = 0
        while pending.get(self.name, {}).get("Keys"):
            batch = pending
            response = with_retries(lambda: self.client.batch_get_item(RequestItems=batch))  # noqa: B023 - called at once
            for raw in response.get("Responses", {}).get(self.name, []):
                item = deserialize(raw) or {}
                found[(item["pk"], item["sk"])] = item
            pending = response.get("UnprocessedKeys") or {}
            if pending:
                attempt += 1
                if attempt >= MAX_ATTEMPTS:
                    raise StoreBusy("unprocessed keys after retries")
                time.sleep(random.uniform(0, min(MAX_DELAY, BASE_DELAY * 2**attempt)))
        return found

    def put(self, item: Item, **guard: Unpack[Guard]) -> None:
        kwargs = {"TableName": self.name, "Item": serialize(item), **_guarded(**guard)}
        self._conditional(lambda: self.client.put_item(**kwargs))

    def update(self, pk: str, sk: str, expression: str, **guard: Unpack[Guard]) -> Item:
        """UpdateItem returning the new item; :class:`ConditionFailed` carries the old one."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": serialize({"pk": pk, "sk": sk}),
            "UpdateExpression": expression,
            "ReturnValues": "ALL_NEW",
            **_guarded(**guard),
        }
        response = self._conditional(lambda: self.client.update_item(**kwargs))
        return deserialize(response.get("Attributes")) or {}

    def delete(self, pk: str, sk: str) -> None:
        """DeleteItem; deleting what is not there is no error."""
        with_retries(
            lambda: self.client.delete_item(TableName=self.name, Key=serialize({"pk": pk, "sk": sk}))
        )

    def update_if(self, pk: str, sk: str, expression: str, **guard: Unpack[Guard]) -> bool:
        """UpdateItem under its condition; False, and nothing written, when the condition does not hold."""
        try:
            self.update(pk, sk, expression, **guard)
        except ConditionFailed:
            return False
        return True

    def _conditional(self, call: Callable[[], Any]) -> Any:
        try:
            return with_retries(call)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConditionFailed(deserialize(error.response.get("Item"))) from error
            raise

    def transact(self, operations: list[dict[str, Any]]) -> None:
        """TransactWriteItems: all or nothing. Each operation is ``{"Put"|"Update"|"ConditionCheck": {...}}``
        without ``TableName`` (added here)."""
        items = []
        for op in operations:
            (kind, body), *_ = op.items()
            body = {"TableName": self.name, **body}
            if "ConditionExpression" in body:
                body.setdefault("ReturnValuesOnConditionCheckFailure", "ALL_OLD")
            items.append({kind: body})
        try:
            with_retries(lambda: self.client.transact_write_items(TransactItems=items))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            raw = error.response.get("CancellationReasons", [])
            raise TransactionCancelled(
                [r.get("Code", "None") for r in raw], [deserialize(r.get("Item")) for r in raw]
            ) from error

    def query(
        self,
        key_condition: str,
        *,
        index: str | None = None,
        names: dict[str, str] | None = None,
        expression_values: dict[str, Any] | None = None,
        limit: int | None = None,
        start_key: dict[str, Any] | None = None,
        forward: bool = True,
        consistent: bool = False,
    ) -> tuple[list[Item], dict[str, Any] | None]:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": key_condition,
            "ScanIndexForward": forward,
        }
        if index:
            kwargs["IndexName"] = index
        elif consistent:
            kwargs["ConsistentRead"] = True
        kwargs.update(expression_parts(None, names, expression_values))
        # DynamoDB refuses an empty start key or a zero limit: absent ones are left out.
        kwargs.update({k: v for k, v in (("Limit", limit), ("ExclusiveStartKey", start_key)) if v})
        response = with_retries(lambda: self.client.query(**kwargs))
        items = [deserialize(raw) or {} for raw in response.get("Items", [])]
        return items, response.get("LastEvaluatedKey")


def table() -> Table:
    return Table()
