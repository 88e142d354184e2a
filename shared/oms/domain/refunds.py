"""Refund statuses and moves: a refund is settled once, by the provider's answer."""

from __future__ import annotations

from enum import StrEnum

from oms.problems import InvalidTransition


class RefundStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


REFUND_MOVES: dict[tuple[RefundStatus, str], RefundStatus] = {
    (RefundStatus.pending, "succeed"): RefundStatus.succeeded,
    (RefundStatus.pending, "fail"): RefundStatus.failed,
}


def next_refund_status(current: str, move: str) -> RefundStatus:
    target = REFUND_MOVES.get((RefundStatus(current), move))
    if target is None:
        raise InvalidTransition(
            f"A refund that is {current} cannot {move}.", extra={"current_status": current, "move": move}
        )
    return target
