"""allocate: exact proportional splits in minor units (largest remainder)."""

from __future__ import annotations

import pytest
from oms.domain.money import allocate


@pytest.mark.parametrize(
    ("amount", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # ties: the earlier line takes the spare unit
        (1000, [3900, 2500, 1300], [506, 325, 169]),  # spares go to the largest remainders
        (380, [0, 2500, 1300], [0, 250, 130]),  # exact: nothing to round
        (1, [1, 1, 1], [1, 0, 0]),
        (2, [1, 1, 1], [1, 1, 0]),
        (7, [10], [7]),
        (10, [1, 0, 1], [5, 0, 5]),
        (5, [0, 0, 3], [0, 0, 5]),
        (999, [1, 2], [333, 666]),
        (1000, [1, 2], [333, 667]),
        (
            3,
            [2, 1, 1, 2],
            [1, 1, 0, 1],
        ),  # the two middle lines deserve 0.5 each: the earlier one gets the unit
    ],
)
def test_examples(amount: int, weights: list[int], parts: list[int]) -> None:
    assert allocate(amount, weights) == parts
    assert sum(parts) == amount


def test_nothing_to_split_gives_zeros() -> None:
    assert allocate(0, [5, 7, 9]) == [0, 0, 0]


def test_no_weight_at_all_gives_zeros() -> None:
    assert allocate(0, [0, 0]) == [0, 0]


def test_no_lines_give_no_parts() -> None:
    assert allocate(0, []) == []


def test_the_split_does_not_depend_on_the_line_order_except_for_ties() -> None:
    assert allocate(1000, [1300, 2500, 3900]) == [169, 325, 506]


def test_large_amounts_stay_exact() -> None:
    # Exact shares 199 999 999 961.4, 599 999 999 884.2 and 200 000 000 161.4: one spare unit, tie on .4.
    parts = allocate(10**12 + 7, [10**9, 3 * 10**9, 10**9 + 1])
    assert parts == [199_999_999_962, 599_999_999_884, 200_000_000_161]
