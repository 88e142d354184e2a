"""``return-lapse``: an approved return not handed to a carrier in time lapses, and its units are freed."""

from __future__ import annotations

from oms import clock
from oms.lifecycle.returns import RETURN_SHIP_BY, lapse
from oms.store import timers
from oms.store.moves import LostRace
from oms.store.table import Table


def run(table: Table) -> dict[str, int]:
    lapsed = skipped = 0
    for pk, sk in timers.due(table, RETURN_SHIP_BY):
        item = table.get(pk, sk)
        if not item or item["status"] != "awaiting_parcel" or item.get("due_at", "") > clock.now_iso():
            skipped += 1
            continue
        try:
            lapse(table, item)
        except LostRace:
            skipped += 1  # shipped meanwhile
            continue
        lapsed += 1
    return {"lapsed": lapsed, "skipped": skipped}
