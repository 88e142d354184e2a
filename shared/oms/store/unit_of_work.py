"""A unit of work: a use case gathers *named* writes and commits them once, as one ``TransactWriteItems``.

Writes are built by the module that owns the item (its key, its attributes, its condition) and named by
it (``order``, ``return``, ``stock:<sku>:<shard>`` …). A refused transaction says which named conditions
failed, so no caller depends on where a write stands in the transaction: reordering one owner's writes
cannot change what another use case concludes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from oms.store.table import Item, Table, TransactionCancelled, expression_parts, serialize, values

Kind = Literal["Put", "Update", "ConditionCheck", "Delete"]
CONDITION_FAILED = "ConditionalCheckFailed"


@dataclass(frozen=True)
class Write:
    """One operation of a transaction, without ``TableName`` (the table adds it)."""

    name: str
    kind: Kind
    body: Mapping[str, Any]

    def operation(self) -> dict[str, Any]:
        return {self.kind: dict(self.body)}


def _expression_parts(
    condition: str | None, names: Mapping[str, str] | None, named_values: Mapping[str, Any] | None
) -> dict[str, Any]:
    return expression_parts(condition, names, values(**named_values) if named_values else None)


def put(
    name: str,
    item: Item,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    named_values: Mapping[str, Any] | None = None,
    table_name: str | None = None,
) -> Write:
    """Put ``item`` (with its key); ``named_values`` are plain values keyed without the colon.

    ``table_name`` puts it in another table than the unit's (a marker in the idempotency table)."""
    body = {"Item": serialize(item), **_expression_parts(condition, names, named_values)}
    return Write(name, "Put", {**body, **({"TableName": table_name} if table_name else {})})


def update(
    name: str,
    key: tuple[str, str],
    expression: str,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    named_values: Mapping[str, Any] | None = None,
) -> Write:
    body = {
        "Key": serialize({"pk": key[0], "sk": key[1]}),
        "UpdateExpression": expression,
        **_expression_parts(condition, names, named_values),
    }
    return Write(name, "Update", body)


def check(
    name: str,
    key: tuple[str, str],
    condition: str,
    *,
    names: Mapping[str, str] | None = None,
    named_values: Mapping[str, Any] | None = None,
) -> Write:
    body = {
        "Key": serialize({"pk": key[0], "sk": key[1]}),
        **_expression_parts(condition, names, named_values),
    }
    return Write(name, "ConditionCheck", body)


class Cancelled(Exception):
    """The transaction was refused as a whole: ``failed`` names the writes whose condition did not hold,
    ``found`` holds what each of them found (None when the item was absent)."""

    def __init__(self, failed: Mapping[str, Item | None], reasons: Mapping[str, str]) -> None:
        super().__init__(f"transaction cancelled: {dict(reasons)}")
        self.failed = dict(failed)
        self.reasons = dict(reasons)

    def failed_on(self, name: str) -> bool:
        return name in self.failed

    def failed_with_prefix(self, prefix: str) -> list[str]:
        return [name for name in self.failed if name.startswith(prefix)]

    def found(self, name: str) -> Item | None:
        return self.failed.get(name)


class UnitOfWork:
    """Named writes committed together, all or nothing."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._writes: dict[str, Write] = {}

    def add(self, *writes: Write) -> UnitOfWork:
        for write in writes:
            if write.name in self._writes:
                raise ValueError(f"two writes named {write.name!r} in one unit of work")
            self._writes[write.name] = write
        return self

    def extend(self, writes: Iterable[Write]) -> UnitOfWork:
        return self.add(*writes)

    def __contains__(self, name: str) -> bool:
        return name in self._writes

    def __len__(self) -> int:
        return len(self._writes)

    def commit(self) -> None:
        """One ``TransactWriteItems``; :class:`Cancelled` names the failed conditions."""
        writes = list(self._writes.values())
        try:
            self.table.transact([write.operation() for write in writes])
        except TransactionCancelled as cancelled:
            reasons = dict(zip((w.name for w in writes), cancelled.reasons, strict=False))
            found = dict(zip((w.name for w in writes), cancelled.items, strict=False))
            failed = {name: found.get(name) for name, code in reasons.items() if code == CONDITION_FAILED}
            raise Cancelled(failed, reasons) from cancelled


def commit(table: Table, *writes: Write) -> None:
    """A unit of work of ``writes``, committed at once."""
    UnitOfWork(table).add(*writes).commit()
