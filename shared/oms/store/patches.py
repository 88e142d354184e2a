"""Changing more of an order in the write that moves or edits it: one item, one update, one condition.

A transaction may touch an item once, so everything a use case changes on the order item (a status move,
an exception appended, one entry of a list resolved, money taken off ``refundable``) is gathered into a
single ``UpdateItem`` conditioned on the status and version the order was read at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Patch:
    """Update-expression fragments: ``sets`` (``a = :b``), ``removes`` (paths) and ``conditions``.

    Placeholders are the caller's: pick prefixes that cannot meet another patch's.
    """

    sets: tuple[str, ...] = ()
    removes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def __add__(self, other: Patch) -> Patch:
        clashes = (set(self.values) & set(other.values)) | {
            n for n in set(self.names) & set(other.names) if self.names[n] != other.names[n]
        }
        if clashes:
            raise ValueError(f"patches share placeholders: {sorted(clashes)}")
        return Patch(
            sets=self.sets + other.sets,
            removes=self.removes + other.removes,
            conditions=self.conditions + other.conditions,
            names={**self.names, **other.names},
            values={**self.values, **other.values},
        )


EMPTY = Patch()
