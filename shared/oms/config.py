"""Configuration as a model: every function's environment, checked once at cold start.

Logic never reads ``os.environ``; it asks :func:`settings`. The template sets these variables in AWS;
the local stack sets the same ones from the same template.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field("oms", alias="TABLE_NAME")
    idempotency_table_name: str = Field("oms-idempotency", alias="IDEMPOTENCY_TABLE_NAME")
    event_bus_name: str = Field("oms", alias="EVENT_BUS_NAME")
    place_order_state_machine_arn: str = Field("", alias="PLACE_ORDER_STATE_MACHINE_ARN")
    tracking_queue_url: str = Field("", alias="TRACKING_QUEUE_URL")
    order_lifecycle_state_machine_arn: str = Field("", alias="ORDER_LIFECYCLE_STATE_MACHINE_ARN")
    return_lifecycle_state_machine_arn: str = Field("", alias="RETURN_LIFECYCLE_STATE_MACHINE_ARN")
    archive_bucket: str = Field("", alias="ARCHIVE_BUCKET")
    notify_sender: str = Field("orders@shop.example", alias="NOTIFY_SENDER")

    # Secrets: a literal locally, the name of an SSM SecureString parameter in AWS.
    payment_webhook_secret: str = Field("", alias="PAYMENT_WEBHOOK_SECRET")
    payment_webhook_secret_param: str = Field("", alias="PAYMENT_WEBHOOK_SECRET_PARAM")
    carrier_webhook_secret: str = Field("", alias="CARRIER_WEBHOOK_SECRET")
    carrier_webhook_secret_param: str = Field("", alias="CARRIER_WEBHOOK_SECRET_PARAM")
    payment_provider_key: str = Field("", alias="PAYMENT_PROVIDER_KEY")
    payment_provider_key_param: str = Field("", alias="PAYMENT_PROVIDER_KEY_PARAM")

    # Business metrics (EMF) go to this CloudWatch namespace.
    metrics_namespace: str = Field("OMS", alias="POWERTOOLS_METRICS_NAMESPACE", min_length=1)

    # Business timers and thresholds (see docs/rules.md).
    payment_timeout_minutes: int = Field(30, alias="PAYMENT_TIMEOUT_MINUTES", gt=0)
    review_sla_hours: int = Field(24, alias="REVIEW_SLA_HOURS", gt=0)
    large_order_threshold: int = Field(500_000, alias="LARGE_ORDER_THRESHOLD", gt=0)
    auto_confirm_days: int = Field(7, alias="AUTO_CONFIRM_DAYS", gt=0)
    stale_shipment_hours: int = Field(72, alias="STALE_SHIPMENT_HOURS", gt=0)
    archive_after_days: int = Field(30, alias="ARCHIVE_AFTER_DAYS", gt=0)
    return_review_sla_hours: int = Field(24, alias="RETURN_REVIEW_SLA_HOURS", gt=0)
    # A returned parcel is inspected within this many hours of arriving back (docs/rules.md).
    return_inspection_sla_hours: int = Field(48, alias="RETURN_INSPECTION_SLA_HOURS", gt=0)
    payment_provider: str = Field("sandbox", alias="PAYMENT_PROVIDER")
    return_shipping_payer: str = Field(
        "buyer", alias="RETURN_SHIPPING_PAYER", pattern="^(buyer|platform_subsidy)$"
    )
    max_body_bytes: int = Field(64 * 1024, alias="MAX_BODY_BYTES", gt=0)
    stock_shards: int = Field(1, alias="STOCK_SHARDS", ge=1, le=32)


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.model_validate(dict(os.environ))


def reload() -> Settings:
    """Re-read the environment (the local stack and tests change it between runs)."""
    settings.cache_clear()
    return settings()
