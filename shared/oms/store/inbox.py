"""The buyer's in-app inbox, their notice preferences and their app installations (push endpoints): the
one module that writes them."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.domain.notice_preferences import Preferences
from oms.problems import NoticeNotFound
from oms.store import cursors, keys
from oms.store.table import ConditionFailed, Item, Table, values
from oms.store.unit_of_work import Cancelled, UnitOfWork, put

PAGE_KEY = frozenset({"pk", "sk"})
_INTERNAL = frozenset({"pk", "sk"})


def view(item: Item) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _INTERNAL}


def deliver(table: Table, customer_id: str, event_id: str, notice: dict[str, Any]) -> bool:
    """Put a notice in the inbox once (a redelivered event finds it there); False when it already was."""
    sent_at = clock.now_iso()
    pk, sk = keys.inbox_notice(customer_id, sent_at, event_id)
    item = {
        "pk": pk,
        "sk": sk,
        "id": event_id,
        "customer_id": customer_id,
        "sent_at": sent_at,
        "read": False,
        **notice,
    }
    marker_pk, marker_sk = keys.inbox_marker(customer_id, event_id)
    marker = {"pk": marker_pk, "sk": marker_sk, "at": sk}
    try:
        UnitOfWork(table).add(
            put("inbox-event", marker, condition="attribute_not_exists(pk)"),
            put("inbox-notice", item, condition="attribute_not_exists(pk)"),
        ).commit()
    except Cancelled as cancelled:
        if cancelled.failed_on("inbox-event"):
            return False
        raise
    return True


def page(
    table: Table, customer_id: str, limit: int, cursor: str | None, unread_only: bool
) -> tuple[list[Item], str | None]:
    """Newest first; ``cursor`` is the previous page's ``next_cursor``."""
    partition = keys.inbox(customer_id)
    start = cursors.decode(cursor, PAGE_KEY, {"pk": partition})
    found: list[Item] = []
    while len(found) < limit:
        items, start = table.query(
            "pk = :pk AND sk < :events",  # the notices, not their EVENT# markers (which sort after digits)
            expression_values=values(pk=partition, events=keys.INBOX_MARKERS),
            limit=limit - len(found),
            start_key=start,
            forward=False,
        )
        found += [item for item in items if not unread_only or not item.get("read")]
        if not start:
            break
    return found, cursors.encode(start)


def unread_count(table: Table, customer_id: str) -> int:
    count, start = 0, None
    while True:
        items, start = table.query(
            "pk = :pk AND sk < :events",
            expression_values=values(pk=keys.inbox(customer_id), events=keys.INBOX_MARKERS),
            start_key=start,
        )
        count += sum(1 for item in items if not item.get("read"))
        if not start:
            return count


def mark_read(table: Table, customer_id: str, notice_id: str) -> Item:
    """Idempotent: reading a read notice changes nothing."""
    marker = table.get(*keys.inbox_marker(customer_id, notice_id))
    if marker is None:
        raise NoticeNotFound(f"No notice {notice_id} in this inbox.")
    try:
        return table.update(
            keys.inbox(customer_id),
            marker["at"],
            "SET #r = :yes, read_at = if_not_exists(read_at, :now)",
            condition="attribute_exists(pk)",
            names={"#r": "read"},
            expression_values=values(yes=True, now=clock.now_iso()),
        )
    except ConditionFailed as missing:
        raise NoticeNotFound(f"No notice {notice_id} in this inbox.") from missing


# ---------------------------------------------------------------------------------------------- preferences


def preferences(table: Table, customer_id: str) -> Preferences:
    return preferences_of(table.get(*keys.customer(customer_id)) or {})


def preferences_of(profile: Item) -> Preferences:
    """The buyer's choices as their profile keeps them (every kind on every channel until they choose)."""
    return Preferences.model_validate(profile.get("notification_preferences") or {})


def set_preferences(table: Table, customer_id: str, chosen: Preferences) -> Preferences:
    """On the buyer's profile (made if staff never wrote one)."""
    table.update(
        *keys.customer(customer_id),
        "SET notification_preferences = :p, customer_id = if_not_exists(customer_id, :c)",
        expression_values=values(p=chosen.model_dump(mode="json"), c=customer_id),
    )
    return chosen


# ---------------------------------------------------------------------------------------------- devices


def put_device(table: Table, customer_id: str, device_id: str, fields: dict[str, Any]) -> Item:
    pk, sk = keys.device(customer_id, device_id)
    item = {
        "pk": pk,
        "sk": sk,
        "id": device_id,
        "customer_id": customer_id,
        **fields,
        "registered_at": clock.now_iso(),
    }
    table.put(item)
    return item


def get_device(table: Table, customer_id: str, device_id: str) -> Item | None:
    return table.get(*keys.device(customer_id, device_id))


def remove_device(table: Table, customer_id: str, device_id: str) -> None:
    table.delete(*keys.device(customer_id, device_id))


def devices(table: Table, customer_id: str) -> list[Item]:
    items, _ = table.query("pk = :pk", expression_values=values(pk=keys.devices(customer_id)), limit=25)
    return items


def disable_device(table: Table, device: Item, why: str) -> None:
    table.update(device["pk"], device["sk"], "SET disabled = :why", expression_values=values(why=why))
