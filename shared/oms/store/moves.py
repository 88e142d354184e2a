"""One conditioned move for every status machine (orders, returns, refunds).

A move is an ``UpdateItem`` conditioned on the status (and, where the item keeps one, the version) the
item was read at, so two racing moves cannot both win; the target status comes from the domain's
transition table, so no write invents one. An *edit* is the same write without a status change: more of
the item changed (a :class:`~oms.store.patches.Patch`) by whoever decided on it as read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from typing_extensions import Unpack

from oms import clock
from oms.domain.order_status import Move, next_status
from oms.domain.refunds import next_refund_status
from oms.domain.returns import next_return_status
from oms.store import keys
from oms.store.patches import EMPTY, Patch
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, UnitOfWork, Write, update


class LostRace(Exception):
    """Someone else changed the item first; re-read it and decide again."""


@dataclass(frozen=True)
class Machine:
    """A kind of item with a status: its write name, its key and the domain's table of moves."""

    name: str
    key: Callable[[Item], tuple[str, str]]
    target: Callable[[str, str], str]
    # Orders and returns keep a version and a timeline; a refund keeps only its status.
    keeps_history: bool = True


ORDER = Machine("order", lambda item: keys.order(item["id"]), lambda was, move: next_status(was, Move(move)))
RETURN = Machine(
    "return", lambda item: keys.return_request(item["id"]), lambda was, move: next_return_status(was, move)
)
REFUND = Machine(
    "refund",
    lambda item: keys.refund(item["order_id"], item["id"]),
    lambda was, move: next_refund_status(was, move),
    keeps_history=False,
)


def _write(
    machine: Machine,
    item: Item,
    fields: dict[str, Any],
    entry: dict[str, Any] | None,
    remove: tuple[str, ...],
    patch: Patch,
) -> Write:
    names = {f"#m_f{i}": name for i, name in enumerate(fields)}
    named: dict[str, Any] = {f"m_f{i}": value for i, value in enumerate(fields.values())}
    sets = [f"#m_f{i} = :m_f{i}" for i in range(len(fields))]
    if machine.keeps_history:
        sets.append("version = version + :m_one")
        named["m_one"] = 1
    if entry is not None:
        sets.append("timeline = list_append(timeline, :m_entry)")
        named["m_entry"] = [entry]
    expression = "SET " + ", ".join([*sets, *patch.sets])
    names.update({f"#m_r{i}": name for i, name in enumerate(remove)})
    removes = [f"#m_r{i}" for i in range(len(remove))] + list(patch.removes)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    conditions = ["#m_status = :m_was"]
    named["m_was"] = item["status"]
    if "version" in item:
        conditions.append("version = :m_version")
        named["m_version"] = item["version"]
    return update(
        machine.name,
        machine.key(item),
        expression,
        condition=" AND ".join([*conditions, *patch.conditions]),
        names={"#m_status": "status", **names, **patch.names},
        named_values={**named, **patch.values},
    )


class Details(TypedDict, total=False):
    """What a move changes besides the status: more fields, fields dropped, the timeline entry's extra
    keys, and a patch of anything else of the item (not shown in the item returned)."""

    set_fields: dict[str, Any]
    remove: tuple[str, ...]
    note: dict[str, Any]
    patch: Patch


def move(
    machine: Machine, item: Item, move_name: str, *, by: str, **details: Unpack[Details]
) -> tuple[Write, Item]:
    """The write that makes ``move_name`` on ``item`` as read, and the item as it will be.

    ``item`` needs ``id`` and ``status`` (and ``order_id`` for a refund); without a ``version`` the write is
    conditioned on the status alone. What ``patch`` changes is not shown in the returned item.
    """
    target = str(machine.target(item["status"], move_name))
    fields = {"status": target, **details.get("set_fields", {})}
    remove = details.get("remove", ())
    entry = None
    moved = {**item, **fields}
    if machine.keeps_history:
        entry = {
            "at": clock.now_iso(),
            "type": move_name,
            "by": by,
            "status": target,
            **details.get("note", {}),
        }
        moved["timeline"] = [*item.get("timeline", []), entry]
        if "version" in item:
            moved["version"] = item["version"] + 1
    for name in remove:
        moved.pop(name, None)
    return _write(machine, item, fields, entry, remove, details.get("patch", EMPTY)), moved


def edit(machine: Machine, item: Item, patch: Patch, entry: dict[str, Any] | None = None) -> Write:
    """Change more of ``item`` as read (same status, same version), bumping its version so whoever decided
    on the older item (auto-confirm, a racing move) reads it again."""
    return _write(machine, item, {}, entry, (), patch)


def commit_move(table: Table, write: Write, moved: Item, *others: Write) -> Item:
    """Commit a move with the writes that go with it; :class:`LostRace` when the item changed meanwhile."""
    try:
        UnitOfWork(table).add(write, *others).commit()
    except Cancelled as cancelled:
        if cancelled.failed_on(write.name):
            raise LostRace(moved.get("id")) from cancelled
        raise
    return moved


def apply(
    table: Table,
    machine: Machine,
    item: Item,
    move_name: str,
    *,
    by: str,
    also: Iterable[Write] = (),
    **details: Unpack[Details],
) -> Item:
    """Make the move and commit it with ``also`` (the writes that must happen with it, or not at all)."""
    write, moved = move(machine, item, move_name, by=by, **details)
    return commit_move(table, write, moved, *also)
