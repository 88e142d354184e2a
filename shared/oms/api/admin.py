"""Back-office routes: catalogue, inventory, coupons, customers (API.md "Back office")."""

from enum import StrEnum
from typing import Annotated, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from oms import idempotency, ids
from oms.domain.catalog import (
    CURRENCY_PATTERN,
    MAX_PRICE,
    SKU_PATTERN,
    Flag,
    Instant,
    PresaleDeposit,
    Product,
)
from oms.domain.coupons import COUPON_CODE_PATTERN, Coupon
from oms.domain.inventory import StockLevels
from oms.domain.ordering import Channel
from oms.http import create_app, json_response, require_admin, validation_problem
from oms.problems import NotFound
from oms.store import catalog, inventory
from oms.store.table import Table

app = create_app()
MAX_ADJUSTMENT = 1_000_000
# Names are shown to shoppers and printed on labels: no control characters (NUL, escapes, line breaks).
PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f]*$"


class _Input(BaseModel):
    """A request body: a field not named here is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ProductInput(_Input):
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)
    price: StrictInt = Field(ge=0, le=MAX_PRICE)
    currency: str = Field(pattern=CURRENCY_PATTERN)
    category: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    flags: list[Flag] = Field(default_factory=list)
    returnable: bool | None = None
    return_window_days: StrictInt | None = Field(None, ge=0, le=365)
    active: bool = True
    max_per_order: StrictInt = Field(99, ge=1, le=999)
    presale_ships_at: Instant | None = None
    deposit: PresaleDeposit | None = None


class AdjustmentReason(StrEnum):
    received = "received"
    returned = "returned"
    write_off = "write_off"
    damaged = "damaged"
    count_correction = "count_correction"


class AdjustmentInput(_Input):
    delta: StrictInt = Field(ge=-MAX_ADJUSTMENT, le=MAX_ADJUSTMENT)
    reason: AdjustmentReason
    channel: Channel | None = None


class AllocationInput(_Input):
    allocation: StrictInt = Field(ge=0, le=MAX_ADJUSTMENT)
    safety_stock: StrictInt = Field(0, ge=0, le=MAX_ADJUSTMENT)


class CouponInput(_Input):
    kind: str = Field(pattern="^(percent|fixed)$")
    value: StrictInt = Field(gt=0, le=MAX_PRICE)
    currency: str = Field("CNY", pattern=CURRENCY_PATTERN)
    min_subtotal: StrictInt = Field(0, ge=0, le=MAX_PRICE)
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    total_limit: StrictInt | None = Field(None, ge=1)
    per_customer_limit: StrictInt | None = Field(None, ge=1)
    categories: list[str] = Field(default_factory=list, max_length=50)
    active: bool = True


class Tier(StrEnum):
    standard = "standard"
    vip = "vip"


class Locale(StrEnum):
    zh_cn = "zh-CN"
    en = "en"


class CustomerInput(_Input):
    tier: Tier = Tier.standard
    locale: Locale = Locale.zh_cn
    name: str | None = Field(None, max_length=100, pattern=PRINTABLE)
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(None, max_length=32, pattern=r"^\+?[0-9][0-9 -]{5,19}$")


M = TypeVar("M", bound=BaseModel)


def _checked(model: type[M], data: dict[str, object]) -> M:
    """The domain model's own rules (a percent coupon over 100, …) are the caller's error: 422, not 500."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_problem(list(error.errors())) from error


def _levels_view(levels: StockLevels) -> dict[str, object]:
    return {
        "sku": levels.sku,
        **levels.pool.model_dump(),
        "channels": {
            name: {**channel.model_dump(), "available": levels.available_for(name)}
            for name, channel in levels.channels.items()
        },
    }


@app.put("/v1/admin/products/<sku>", summary="Create or change a product")
def put_product(
    sku: Annotated[str, Path(pattern=SKU_PATTERN)], body: Annotated[ProductInput, Body()]
) -> Response[str]:
    require_admin(app)
    product = catalog.put_product(Table(), _checked(Product, {"sku": sku, **body.model_dump()}))
    return json_response(200, product.model_dump(mode="json"))


@app.post("/v1/admin/inventory/<sku>/adjustments", summary="Receive or write off stock")
def adjust_inventory(
    sku: Annotated[str, Path(pattern=SKU_PATTERN)], body: Annotated[AdjustmentInput, Body()]
) -> Response[str]:
    who = require_admin(app)
    key = idempotency.key_from(app, required=False)
    adjustment_id = ids.derived_id("adj", who.subject, key) if key else ids.new_id("adj")

    def produce() -> Response[str]:
        if body.delta == 0:
            return json_response(200, _levels_view(inventory.levels(Table(), sku)))
        levels = inventory.adjust(
            Table(),
            sku,
            body.delta,
            body.reason.value,
            body.channel.value if body.channel else None,
            adjustment_id,
        )
        return json_response(201, _levels_view(levels))

    return idempotency.once(app, f"adjust#{sku}", key, body.model_dump(mode="json"), produce)


@app.get("/v1/admin/inventory/<sku>", summary="On hand, reserved and available, per channel")
def get_inventory(sku: Annotated[str, Path(pattern=SKU_PATTERN)]) -> Response[str]:
    require_admin(app)
    table = Table()
    if catalog.get_product(table, sku) is None:
        raise NotFound(f"No product {sku}.", code="unknown_sku")
    return json_response(200, _levels_view(inventory.levels(table, sku)))


@app.put("/v1/admin/inventory/<sku>/channels/<channel>", summary="How much of the pool a channel may sell")
def put_allocation(
    sku: Annotated[str, Path(pattern=SKU_PATTERN)],
    channel: Annotated[Channel, Path()],
    body: Annotated[AllocationInput, Body()],
) -> Response[str]:
    require_admin(app)
    levels = inventory.set_allocation(Table(), sku, channel.value, body.allocation, body.safety_stock)
    return json_response(200, _levels_view(levels))


@app.put("/v1/admin/coupons/<code>", summary="Create or change a coupon")
def put_coupon(
    code: Annotated[str, Path(pattern=COUPON_CODE_PATTERN)], body: Annotated[CouponInput, Body()]
) -> Response[str]:
    require_admin(app)
    coupon = _checked(Coupon, {"code": code, **body.model_dump()})
    catalog.put_coupon(Table(), coupon)
    return json_response(200, coupon.model_dump(mode="json"))


@app.put("/v1/admin/customers/<customer_id>", summary="A customer's profile: tier, locale, contact")
def put_customer(
    customer_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")],
    body: Annotated[CustomerInput, Body()],
) -> Response[str]:
    require_admin(app)
    return json_response(200, catalog.put_customer(Table(), customer_id, body.model_dump(mode="json")))
