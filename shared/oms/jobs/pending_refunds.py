"""``check-pending-refunds``: a refund the provider left ``pending`` for an hour is asked about, so a
notice that never arrives never leaves a buyer's money in limbo. A provider that does not answer keeps it
for the next run."""

from __future__ import annotations

from collections import Counter

from oms.lifecycle.refund_step import check_pending
from oms.providers.http_calls import ProviderUnavailable
from oms.store import refunds, timers
from oms.store.table import Table


def run(table: Table) -> dict[str, int]:
    outcomes: Counter[str] = Counter()
    for pk, sk in timers.due(table, refunds.REFUND_CHECK):
        refund = table.get(pk, sk)
        if refund is None:
            continue
        try:
            outcomes[check_pending(table, refund)] += 1
        except ProviderUnavailable:
            outcomes["unanswered"] += 1
    return {key: outcomes[key] for key in ("succeeded", "failed", "pending", "unanswered", "already_settled")}
