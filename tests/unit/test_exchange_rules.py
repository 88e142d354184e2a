"""Exchanges (换货): the lines must match what goes back, replacements must be sellable and in stock, the
difference is today's price against what the returned units were paid, and who gets the replacement at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from oms.api.return_requests import ExchangeLine
from oms.domain import exchanges as rules
from oms.domain.catalog import Product
from oms.domain.instant_refund import BuyerRecord, InstantRefundPolicy
from oms.problems import Conflict, ValidationProblem

ORDER: dict[str, Any] = {
    "lines": [
        # Two shirts at 100.00, 20.00 off the line: each was paid 90.00.
        {"sku": "SHIRT-M", "quantity": 2, "unit_price": 10000, "line_total": 20000, "discount": 2000},
        # Three cups at 33.33 (the cent that does not divide goes to the last unit returned).
        {"sku": "CUP", "quantity": 3, "unit_price": 3333, "line_total": 10000, "discount": 0},
    ]
}


def product(sku: str, price: int, **fields: Any) -> Product:
    return Product(sku=sku, name=f"Product {sku}", price=price, currency="CNY", category="apparel", **fields)


PRODUCTS: dict[str, Product | None] = {
    "SHIRT-L": product("SHIRT-L", 12000),
    "SHIRT-S": product("SHIRT-S", 8000),
    "MUG": product("MUG", 2500),
    "OLD": product("OLD", 1000, active=False),
    "PRESALE": product("PRESALE", 1000, presale_ships_at=datetime(2027, 1, 1, tzinfo=UTC)),
    "UNKNOWN": None,
}


def line(sku: str, quantity: int, replacement: str) -> ExchangeLine:
    return ExchangeLine(sku=sku, quantity=quantity, replacement_sku=replacement)


def code_of(problem: pytest.ExceptionInfo[Any]) -> str:
    return str(problem.value.code)


def test_an_exchange_names_its_replacements() -> None:
    with pytest.raises(ValidationProblem) as missing:
        rules.check_lines([("SHIRT-M", 1)], None)
    assert code_of(missing) == "exchange_required"
    with pytest.raises(ValidationProblem) as empty:
        rules.check_lines([("SHIRT-M", 1)], [])
    assert code_of(empty) == "exchange_required"


@pytest.mark.parametrize(
    "lines",
    [
        [line("SHIRT-M", 2, "SHIRT-L")],  # more than goes back
        [line("CUP", 1, "MUG")],  # another SKU than goes back
        [line("SHIRT-M", 1, "SHIRT-L"), line("CUP", 1, "MUG")],  # one more line
    ],
)
def test_the_lines_cover_exactly_what_goes_back(lines: list[ExchangeLine]) -> None:
    with pytest.raises(ValidationProblem) as mismatch:
        rules.check_lines([("SHIRT-M", 1)], lines)
    assert code_of(mismatch) == "exchange_mismatch"


def test_lines_may_split_a_returned_sku_over_several_replacements() -> None:
    rules.check_lines([("SHIRT-M", 2)], [line("SHIRT-M", 1, "SHIRT-L"), line("SHIRT-M", 1, "SHIRT-S")])


@pytest.mark.parametrize(
    ("replacement", "code"),
    [
        ("UNKNOWN", "replacement_unknown"),
        ("OLD", "replacement_unknown"),
        ("PRESALE", "replacement_not_sellable"),
    ],
)
def test_a_replacement_must_be_sold_now(replacement: str, code: str) -> None:
    with pytest.raises(ValidationProblem) as refused:
        rules.check_replacements([line("SHIRT-M", 1, replacement)], PRODUCTS, {replacement: 5}, "CNY")
    assert code_of(refused) == code
    assert refused.value.errors[0].field == "exchange[0].replacement_sku"


def test_a_replacement_in_another_currency_is_not_sold_here() -> None:
    with pytest.raises(ValidationProblem) as refused:
        rules.check_replacements([line("SHIRT-M", 1, "MUG")], PRODUCTS, {"MUG": 5}, "USD")
    assert code_of(refused) == "replacement_not_sellable"


def test_a_replacement_must_be_in_stock_for_all_the_lines_asking_for_it() -> None:
    lines = [line("SHIRT-M", 1, "MUG"), line("CUP", 2, "MUG")]
    rules.check_replacements(lines, PRODUCTS, {"MUG": 3}, "CNY")
    with pytest.raises(Conflict) as short:
        rules.check_replacements(lines, PRODUCTS, {"MUG": 2}, "CNY")
    assert code_of(short) == "insufficient_stock" and short.value.status == 409


def test_a_dearer_variant_costs_the_buyer_the_difference() -> None:
    priced = rules.priced_lines(ORDER, [line("SHIRT-M", 1, "SHIRT-L")], PRODUCTS)
    assert priced[0]["credit"] == 9000 and priced[0]["unit_price"] == 12000
    assert priced[0]["replacement_name"] == "Product SHIRT-L" and priced[0]["category"] == "apparel"
    assert rules.difference(priced) == 3000


def test_a_cheaper_product_leaves_the_buyer_owed() -> None:
    priced = rules.priced_lines(ORDER, [line("SHIRT-M", 2, "SHIRT-S")], PRODUCTS)
    assert rules.difference(priced) == 2 * 8000 - 18000


def test_the_same_sku_costs_nothing() -> None:
    priced = rules.priced_lines(ORDER, [line("CUP", 3, "CUP")], {"CUP": product("CUP", 3333)})
    assert rules.difference(priced) == 3 * 3333 - 10000  # the buyer paid a cent more than 3 x 33.33


def test_units_of_one_line_split_over_lines_are_credited_as_returned_in_parts() -> None:
    split = [line("CUP", 1, "MUG"), line("CUP", 2, "MUG")]
    credits = [p["credit"] for p in rules.priced_lines(ORDER, split, PRODUCTS)]
    assert sum(credits) == 10000  # exactly what the line was paid, however it is split


def test_units_returned_before_are_not_credited_again() -> None:
    returned_once = {"lines": [{**ORDER["lines"][1], "return_refunded": 2}]}
    (priced,) = rules.priced_lines(returned_once, [line("CUP", 1, "MUG")], PRODUCTS)
    assert priced["credit"] == 10000 - 2 * 10000 // 3


@pytest.mark.parametrize(
    ("difference", "refundable", "refund"),
    [(-5000, 20000, 5000), (-5000, 3000, 3000), (0, 20000, 0), (4000, 20000, 0), (-5000, 0, 0)],
)
def test_a_refunded_difference_is_capped_by_what_the_order_can_refund(
    difference: int, refundable: int, refund: int
) -> None:
    assert rules.refund_due(difference, refundable) == refund


def test_the_difference_is_due_a_day_after_approval() -> None:
    approved = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert rules.balance_due_at(approved) == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_a_trusted_buyer_gets_the_replacement_at_once_within_the_limit() -> None:
    policy = InstantRefundPolicy()
    trusted = BuyerRecord(completed_orders=10, returns=1, disputed_returns=0)
    assert rules.ships_at_once(policy, trusted, 9000)
    assert not rules.ships_at_once(policy, trusted, policy.max_amount + 1)
    assert not rules.ships_at_once(policy, BuyerRecord(1, 0, 0), 9000)
    assert not rules.ships_at_once(InstantRefundPolicy(enabled=False), trusted, 9000)
