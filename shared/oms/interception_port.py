"""Asking a carrier to intercept a parcel (拦截件) and bring it back to the sender, behind one small port.

Carriers offer it for a parcel still in their network (SF's and JD's interception services, a return-to-
sender instruction elsewhere); the answer is whether they take the instruction. What happens to the parcel
afterwards arrives as tracking: ``returned_to_sender`` when it is back, ``delivered`` when it was too late.

``sandbox`` (the only adapter so far, and the local stack's) answers as carriers do: it takes the instruction
while the parcel is moving in the network and refuses it once it is out for delivery or further on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from oms.domain.refund_only import INTERCEPTABLE
from oms.store.table import Item


@dataclass(frozen=True)
class InterceptionAnswer:
    accepted: bool
    reference: str = ""
    reason: str | None = None  # why the carrier refused, in its words


class Interceptor(Protocol):
    def intercept(self, parcel: Item, reference: str) -> InterceptionAnswer: ...


class SandboxInterceptor:
    def intercept(self, parcel: Item, reference: str) -> InterceptionAnswer:
        if parcel["status"] in INTERCEPTABLE:
            return InterceptionAnswer(True, reference=f"sandbox_{reference}")
        return InterceptionAnswer(False, reason=f"the parcel is {parcel['status']}: too late to intercept")


def interceptor() -> Interceptor:
    return SandboxInterceptor()
