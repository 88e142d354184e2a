"""Returns and refunds move through their domain's tables (RETURN_MOVES, REFUND_MOVES), never around them."""

from __future__ import annotations

from typing import Any

import pytest
from oms.domain.refunds import REFUND_MOVES, RefundStatus
from oms.domain.returns import RETURN_MOVES, ReturnStatus
from oms.problems import InvalidTransition
from oms.store import keys, moves, refunds
from oms.store.table import deserialize

REFUND = {
    "id": "ref_1",
    "order_id": "ord_1",
    "customer_id": "cus_1",
    "amount": 1200,
    "status": "pending",
    "return_id": "ret_1",
}


class Recording:
    """A table that holds one refund and records the one transaction written."""

    def __init__(self) -> None:
        self.operations: list[dict[str, Any]] = []

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        return dict(REFUND) if (pk, sk) == keys.refund("ord_1", "ref_1") else None

    def transact(self, operations: list[dict[str, Any]]) -> None:
        self.operations = operations


def _update_of(operations: list[dict[str, Any]], key: tuple[str, str]) -> dict[str, Any]:
    (update,) = [
        op["Update"]
        for op in operations
        if "Update" in op and deserialize(op["Update"]["Key"]) == keys.key(key)
    ]
    return update


def test_a_return_move_comes_from_the_table() -> None:
    item = {"id": "ret_1", "status": "in_transit", "version": 3, "timeline": []}
    _, moved = moves.move(moves.RETURN, item, "receive", by="carrier")
    assert (moved["status"], moved["version"]) == ("received", 4)
    with pytest.raises(InvalidTransition):
        moves.move(moves.RETURN, {**item, "status": "refunded"}, "inspect", by="adm")


def test_an_impossible_return_move_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(RETURN_MOVES, (ReturnStatus.in_transit, "receive"))
    with pytest.raises(InvalidTransition):
        moves.move(
            moves.RETURN, {"id": "ret_1", "status": "in_transit", "version": 3}, "receive", by="carrier"
        )


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(refunds.events, "publish", lambda *event: sent.append(event))
    return sent


def test_a_settled_refund_pays_its_return_through_both_tables(published: list[tuple[Any, ...]]) -> None:
    table = Recording()
    assert refunds.settle(table, "ord_1", "ref_1", True, "prov_9")  # type: ignore[arg-type]
    refund = _update_of(table.operations, keys.refund("ord_1", "ref_1"))
    assert deserialize(refund["ExpressionAttributeValues"])[":m_f0"] == "succeeded"
    assert refund["ConditionExpression"] == "#m_status = :m_was"
    paid = _update_of(table.operations, keys.return_request("ret_1"))
    named = deserialize(paid["ExpressionAttributeValues"])
    assert (named[":m_was"], named[":m_f0"], named[":m_one"]) == ("refund_pending", "refunded", 1)
    (entry,) = named[":m_entry"]
    assert {k: v for k, v in entry.items() if k != "at"} == {
        "type": "refunded",
        "by": "payments",
        "status": "refunded",
        "refund_id": "ref_1",
    }
    assert "refunded_at" in paid["ExpressionAttributeNames"].values()
    assert "version = version + :m_one" in paid["UpdateExpression"]
    assert [event[0].detail_type() for event in published] == ["RefundIssued"]


def test_a_refund_settles_only_by_the_refund_table(
    monkeypatch: pytest.MonkeyPatch, published: list[tuple[Any, ...]]
) -> None:
    monkeypatch.delitem(REFUND_MOVES, (RefundStatus.pending, "fail"))
    with pytest.raises(InvalidTransition):
        refunds.settle(Recording(), "ord_1", "ref_1", False)  # type: ignore[arg-type]
    monkeypatch.delitem(RETURN_MOVES, (ReturnStatus.refund_pending, "refunded"))
    with pytest.raises(InvalidTransition):
        refunds.settle(Recording(), "ord_1", "ref_1", True)  # type: ignore[arg-type]
    assert published == []
