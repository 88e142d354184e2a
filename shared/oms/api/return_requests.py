"""What the return routes accept: the request bodies of the storefront and back-office return routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from oms.domain import return_policy as rules
from oms.domain.carriers import CarrierCode
from oms.domain.catalog import MAX_PRICE, SKU_PATTERN, SkuQuantity
from oms.domain.returns import Condition
from oms.lifecycle.shipping import TRACKING_PATTERN

URL = r"^https://[^\s]{1,500}$"
# Evidence and message attachments: links the console shows staff, so https and nothing else.
HttpsUrl = Annotated[str, StringConstraints(pattern=URL)]


class ReturnLine(SkuQuantity):
    pass


class ExchangeLine(SkuQuantity):
    """``quantity`` units of ``sku`` sent back for as many of ``replacement_sku``."""

    replacement_sku: str = Field(pattern=SKU_PATTERN)


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: rules.AfterSalesType = rules.AfterSalesType.return_refund
    items: list[ReturnLine] = Field(min_length=1, max_length=30)
    reason: rules.Reason
    description: str | None = Field(None, max_length=2000)
    evidence: list[HttpsUrl] = Field(default_factory=list, max_length=10)
    refund_method: rules.RefundMethod = rules.RefundMethod.original_payment
    # An exchange only: what the buyer wants instead of ``items`` (domain/exchanges.py).
    exchange: list[ExchangeLine] | None = Field(None, max_length=30)
    requested_amount: StrictInt | None = Field(
        None, gt=0, le=MAX_PRICE, description="refund_only for delivered goods the buyer keeps: minor units"
    )

    @model_validator(mode="after")
    def _amount_for_refund_only(self) -> ReturnRequest:
        if self.requested_amount is not None and self.type is not rules.AfterSalesType.refund_only:
            raise ValueError("requested_amount goes with type refund_only")
        return self


class ReturnDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=1, max_length=500)
    alternative: rules.Alternative | None = None
    partial_refund_amount: StrictInt | None = Field(None, gt=0)


class ReturnParcel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    carrier: CarrierCode
    tracking_number: str = Field(pattern=TRACKING_PATTERN)


class InspectedLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity_received: StrictInt = Field(ge=0, le=999)
    condition: Condition


class Inspection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[InspectedLine] = Field(min_length=1, max_length=30)
    notes: str | None = Field(None, max_length=2000)


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=4000)
    attachments: list[HttpsUrl] = Field(default_factory=list, max_length=10)
