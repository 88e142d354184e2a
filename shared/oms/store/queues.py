"""Work queues for people (``queues`` index): review, fulfilment in pick order, exceptions."""

from __future__ import annotations

from oms.store.table import Item, Table, values


def read(table: Table, queue: str, limit: int = 100) -> list[Item]:
    items, _ = table.query(
        "#q = :q", index="queues", names={"#q": "queue"}, expression_values=values(q=queue), limit=limit
    )
    return items
