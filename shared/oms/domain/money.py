"""Money is an integer count of minor units; these helpers keep every split exact."""

from __future__ import annotations


def allocate(amount: int, weights: list[int]) -> list[int]:
    """Split ``amount`` in proportion to ``weights``; the parts add up to ``amount`` exactly.

    Largest-remainder method: each part is floored, and the units left over go to the largest remainders
    (earlier lines first on ties), so a line's share never depends on the order of rounding.
    """
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares
