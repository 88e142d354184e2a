"""Presale with a deposit: the terms a product may carry, an order's two payments, its deadlines, and what a
cancellation keeps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from oms.api.admin import ProductInput
from oms.domain import presale
from oms.domain.catalog import PresaleDeposit
from oms.domain.ordering import OrderRejected
from oms.domain.payments import PaymentOutcome, decide_payment
from pydantic import ValidationError

from tests.unit.order_builders import NOW, catalogue, check, order_request, product

OPENS, CLOSES = NOW + timedelta(days=3), NOW + timedelta(days=5)


def terms(amount: int = 1000, opens: datetime = OPENS, closes: datetime = CLOSES) -> PresaleDeposit:
    return PresaleDeposit(amount=amount, balance_opens_at=opens, balance_closes_at=closes)


def test_a_product_deposit_is_less_than_its_price_and_its_window_closes_before_it_ships() -> None:
    assert product("PRE-1", 9900, deposit=terms()).deposit == terms()
    with pytest.raises(ValidationError):
        product("PRE-1", 1000, deposit=terms(amount=1000))
    with pytest.raises(ValidationError):
        product("PRE-1", 9900, deposit=terms(), presale_ships_at=CLOSES - timedelta(hours=1))
    with pytest.raises(ValidationError):
        terms(opens=CLOSES, closes=OPENS)


def test_an_order_with_presale_lines_pays_their_deposits_first_and_the_rest_later() -> None:
    pre, tea = product("PRE-1", 9900, deposit=terms(1000)), product("TEA-250", 3900)
    draft = check(order_request(("PRE-1", 2, 9900), ("TEA-250", 1, 3900)), catalogue(pre, tea))
    plan = draft.payment_plan
    assert plan is not None and plan.deposit == 2000
    assert plan.balance == draft.totals.total - 2000
    assert (plan.balance_opens_at, plan.balance_closes_at) == (OPENS, CLOSES)
    assert check(order_request(("TEA-250", 1, 3900)), catalogue(tea)).payment_plan is None


@pytest.mark.parametrize(
    ("second", "code"),
    [
        (terms(closes=CLOSES + timedelta(days=1)), "presale_windows_differ"),
        (None, None),
    ],
)
def test_one_order_one_balance_window(second: PresaleDeposit | None, code: str | None) -> None:
    first, other = product("PRE-1", 9900, deposit=terms()), product("PRE-2", 9900, deposit=second)
    request = order_request(("PRE-1", 1, 9900), ("PRE-2", 1, 9900))
    if code is None:
        assert check(request, catalogue(first, other)).payment_plan is not None
        return
    with pytest.raises(OrderRejected) as refused:
        check(request, catalogue(first, other))
    assert refused.value.code == code


def test_a_presale_whose_window_has_closed_is_refused() -> None:
    closed = product(
        "PRE-1", 9900, deposit=terms(opens=NOW - timedelta(days=2), closes=NOW - timedelta(days=1))
    )
    with pytest.raises(OrderRejected) as refused:
        check(order_request(("PRE-1", 1, 9900)), catalogue(closed))
    assert refused.value.code == "presale_closed"


def order(status: str, **more: Any) -> dict[str, Any]:
    plan = {
        "deposit": 1000,
        "balance": 8900,
        "balance_opens_at": OPENS.isoformat(),
        "balance_closes_at": CLOSES.isoformat(),
    }
    return {"status": status, "totals": {"total": 9900, "currency": "CNY"}, "payment_plan": plan, **more}


def test_the_deposit_then_the_balance_each_once_anything_else_a_mismatch() -> None:
    assert decide_payment(order("pending_payment"), "p1", 1000, "CNY") is PaymentOutcome.deposit
    assert decide_payment(order("pending_payment"), "p1", 9900, "CNY") is PaymentOutcome.mismatch
    waiting = order("awaiting_balance", deposit_payment_id="p1")
    assert decide_payment(waiting, "p1", 1000, "CNY") is PaymentOutcome.duplicate
    assert decide_payment(waiting, "p2", 8900, "CNY") is PaymentOutcome.capture
    assert decide_payment(waiting, "p2", 9900, "CNY") is PaymentOutcome.mismatch
    assert (
        decide_payment(order("awaiting_fulfillment", payment_id="p2"), "p3", 8900, "CNY")
        is PaymentOutcome.refund
    )


def test_the_deadlines_come_in_turn_open_closing_due() -> None:
    plan = order("awaiting_balance")["payment_plan"]
    assert presale.next_balance_timer(plan, NOW) == (presale.BALANCE_OPENS, OPENS)
    assert presale.next_balance_timer(plan, OPENS) == (presale.BALANCE_CLOSING, CLOSES - timedelta(hours=24))
    assert presale.next_balance_timer(plan, CLOSES - timedelta(hours=24)) == (presale.BALANCE_DUE, CLOSES)


def test_a_cancellation_keeps_the_deposit_only_while_the_balance_is_awaited_and_the_terms_keep_it() -> None:
    waiting = order("awaiting_balance", refundable=1000)
    assert presale.kept_on_cancel(waiting, "balance_unpaid") == 1000
    assert presale.kept_on_cancel(waiting, "customer_request") == 1000
    assert presale.kept_on_cancel(waiting, "staff") == 0  # the shop cancels: the deposit goes back
    assert presale.kept_on_cancel(order("awaiting_fulfillment", refundable=9900), "customer_request") == 0
    refunded = order("awaiting_balance", refundable=1000)
    refunded["payment_plan"]["deposit_refunded_if_balance_unpaid"] = True
    assert presale.kept_on_cancel(refunded, "balance_unpaid") == 0


def test_an_instant_is_written_as_text_not_as_a_number_of_seconds() -> None:
    base = {"name": "Kettle", "price": 9900, "currency": "CNY", "category": "kitchen"}
    dated = ProductInput.model_validate({**base, "presale_ships_at": "2026-12-20T00:00:00Z"})
    assert dated.presale_ships_at is not None and dated.presale_ships_at.year == 2026
    for number in (1797724800, 1797724800.5):
        with pytest.raises(ValidationError, match="date-time string"):
            ProductInput.model_validate({**base, "presale_ships_at": number})
