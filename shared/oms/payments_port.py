"""The payment provider, behind one small port.

``sandbox`` (the default, and the local stack's) settles a refund at once, the way a provider's test mode
does; a real provider answers ``pending`` and settles later through the ``refund.*`` webhooks. Either way
the same :func:`oms.store.refunds.settle` records the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from oms.config import settings


@dataclass(frozen=True)
class RefundAnswer:
    status: str  # "succeeded" | "pending" | "failed"
    provider_ref: str


class PaymentProvider(Protocol):
    def refund(self, refund: dict[str, Any]) -> RefundAnswer: ...


class SandboxProvider:
    def refund(self, refund: dict[str, Any]) -> RefundAnswer:
        return RefundAnswer(status="succeeded", provider_ref=f"sandbox_{refund['id']}")


def provider() -> PaymentProvider:
    name = settings().payment_provider
    if name == "sandbox":
        return SandboxProvider()
    raise RuntimeError(f"unknown payment provider {name!r}")
