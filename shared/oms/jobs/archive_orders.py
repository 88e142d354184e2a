"""``archive-orders``: completed orders past the retention period are written to S3 for analysis and disputes.

The whole record (items, money, timeline, shipments, refunds, returns, notes) goes out as JSON lines,
partitioned by completion date (``orders/date=YYYY-MM-DD/<run>.jsonl``); the order stays readable in the
table, marked ``archived_at``. A crash between the upload and the mark writes the order again in a later
run: readers key on ``id`` and keep the newest ``archived_version``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from oms import aws, clock, ids
from oms.config import require, settings
from oms.lifecycle.completion import ARCHIVE
from oms.store import orders, timers
from oms.store.table import ConditionFailed, Table, values
from oms.views import order_view

require("ARCHIVE_BUCKET", by=__name__)

BATCH = 500


def run(table: Table) -> dict[str, int]:
    by_date: dict[str, list[dict[str, Any]]] = defaultdict(list)
    picked: list[dict[str, Any]] = []
    for pk, sk in timers.due(table, ARCHIVE, limit=BATCH):
        order = table.get(pk, sk)
        if not order or order["status"] != "completed" or order.get("due_at", "") > clock.now_iso():
            continue
        record, children = orders.record_for(table, order["id"], None)
        line = {**order_view(record, children), "archived_version": record["version"]}
        by_date[record["completed_at"][:10]].append(line)
        picked.append(record)
    run_id = ids.new_id("run")
    for date, lines in by_date.items():
        body = "\n".join(json.dumps(line, ensure_ascii=False, sort_keys=True) for line in lines) + "\n"
        aws.client("s3").put_object(
            Bucket=settings().archive_bucket,
            Key=f"orders/date={date}/{run_id}.jsonl",
            Body=body.encode(),
            ContentType="application/x-ndjson",
        )
    archived = 0
    for record in picked:
        try:
            table.update(
                record["pk"],
                record["sk"],
                "SET archived_at = :now REMOVE timer_kind, due_at",
                condition="version = :version",
                expression_values=values(now=clock.now_iso(), version=record["version"]),
            )
            archived += 1
        except ConditionFailed:
            continue  # changed since it was read: it is archived again next run
    return {"archived": archived, "files": len(by_date)}
