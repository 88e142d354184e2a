"""Who looks at a paid order and in which order ("订单信息审核与处理").

Special goods (presale, customized, cross-border) and large amounts wait for a person, within a deadline.
Everything else is picked first-paid-first-served, with perishable goods and VIP customers first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from oms.domain.catalog import Flag

REVIEWED_FLAGS = (Flag.presale, Flag.customized, Flag.cross_border)


def review_reasons(line_flags: Iterable[Iterable[str]], total: int, large_order_threshold: int) -> list[str]:
    flags = {flag for flags in line_flags for flag in flags}
    reasons = [flag.value for flag in REVIEWED_FLAGS if flag.value in flags]
    if total >= large_order_threshold:
        reasons.append("large_amount")
    return reasons


def review_deadline(paid_at: datetime, sla_hours: int) -> datetime:
    return paid_at + timedelta(hours=sla_hours)


def pick_key(*, perishable: bool, vip: bool, paid_at: str, order_id: str) -> str:
    """Sorts the fulfilment queue: perishable first, then VIP, then by payment time, then by id."""
    return f"{0 if perishable else 1}{0 if vip else 1}#{paid_at}#{order_id}"
