"""Products and the flags that change how an order or a return is handled."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    field_validator,
    model_validator,
)

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


# Units of one SKU in a request (a shipment's, a return's): each request names its own subclass, so its
# schema keeps its name (no docstring here: a model's docstring becomes its schema's description).
class SkuQuantity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity: StrictInt = Field(ge=1, le=999)


CURRENCY_PATTERN = r"^[A-Z]{3}$"
MAX_PRICE = 100_000_000_00  # one hundred million in major units: anything above is a typo


def _written_as_text(value: object) -> object:
    """An instant comes as RFC 3339 text, as the API documents it: a bare number is refused rather than
    read as seconds since 1970."""
    if isinstance(value, int | float):
        raise ValueError("must be a date-time string (RFC 3339)")
    return value


Instant = Annotated[datetime, BeforeValidator(_written_as_text)]


def as_utc(moment: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC, so it compares with the clock's aware times."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Flag(StrEnum):
    perishable = "perishable"
    food = "food"
    intimate = "intimate"
    customized = "customized"
    presale = "presale"
    cross_border = "cross_border"


class PresaleDeposit(BaseModel):
    """What a presale product asks first, per unit, and when the rest is paid."""

    model_config = ConfigDict(extra="forbid")

    amount: StrictInt = Field(ge=1, description="the deposit per unit, in minor units")
    balance_opens_at: Instant
    balance_closes_at: Instant

    @field_validator("balance_opens_at", "balance_closes_at")
    @classmethod
    def _utc(cls, moment: datetime) -> datetime:
        utc = as_utc(moment)
        assert utc is not None
        return utc

    @model_validator(mode="after")
    def _window(self) -> PresaleDeposit:
        if self.balance_closes_at <= self.balance_opens_at:
            raise ValueError("balance_closes_at must be after balance_opens_at")
        return self


class Product(BaseModel):
    """A catalogue entry. Prices are integer minor units of ``currency``."""

    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    price: int = Field(ge=0, le=MAX_PRICE)
    currency: str = Field(pattern=CURRENCY_PATTERN)
    category: str = Field(min_length=1, max_length=64)
    flags: list[Flag] = Field(default_factory=list)
    returnable: bool | None = None  # None: as the return policy says for its category
    return_window_days: int | None = Field(None, ge=0, le=365)  # None: the policy's window
    active: bool = True
    max_per_order: int = Field(99, ge=1, le=999)
    presale_ships_at: Instant | None = None
    deposit: PresaleDeposit | None = None  # a presale sold with a deposit (domain/presale.py)

    @field_validator("flags")
    @classmethod
    def _unique(cls, flags: list[Flag]) -> list[Flag]:
        return sorted(set(flags))

    @field_validator("presale_ships_at")
    @classmethod
    def _utc(cls, moment: datetime | None) -> datetime | None:
        return as_utc(moment)

    @model_validator(mode="after")
    def _deposit_terms(self) -> Product:
        if self.deposit is None:
            return self
        if self.deposit.amount >= self.price:
            raise ValueError("a presale deposit must be less than the price")
        if self.presale_ships_at is not None and self.presale_ships_at < self.deposit.balance_closes_at:
            raise ValueError("a presale cannot ship before its balance window closes")
        return self

    def has(self, flag: Flag) -> bool:
        return flag in self.flags
