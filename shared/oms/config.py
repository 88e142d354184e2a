"""Configuration as a model: the variables the template gives the functions, typed, and who needs which.

Logic never reads ``os.environ``; it asks :func:`settings`. Each function runs with only the variables
its template entry gives it (``Globals`` merged with its own ``Environment``), so a module that cannot
work without a setting declares it at import with :func:`require` (or :func:`require_secret`): a
function whose environment lacks it fails its cold start naming the variable, the module and the
function, instead of failing its first request with a confusing AWS error. A handler's needs are thus
the union of what it imports.

Names, ARNs, URLs and the business numbers the template always passes have no default here: the
template is their one source. Only the settings the template may leave out have defaults.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class MissingSetting(RuntimeError):
    """A setting a module needs is not in its function's environment (or is empty)."""


class _NotGiven:
    """The marker default of a setting the template must give; never seen outside :class:`Settings`."""

    def __repr__(self) -> str:
        return "<not given>"


_NOT_GIVEN: Any = _NotGiven()


def _given(variable: str, **constraints: Any) -> Any:
    """A setting with no default: the template gives it to the functions that need it."""
    return Field(_NOT_GIVEN, alias=variable, **constraints)


class Settings(BaseModel):
    """One function's environment. A setting with no default that the function was not given is no
    attribute: reading it raises :class:`MissingSetting` (and :func:`require` says so at import)."""

    model_config = ConfigDict(frozen=True)

    table_name: str = _given("TABLE_NAME")
    idempotency_table_name: str = _given("IDEMPOTENCY_TABLE_NAME")
    event_bus_name: str = _given("EVENT_BUS_NAME")
    place_order_state_machine_arn: str = _given("PLACE_ORDER_STATE_MACHINE_ARN")
    tracking_queue_url: str = _given("TRACKING_QUEUE_URL")
    webhook_send_queue_url: str = _given("WEBHOOK_SEND_QUEUE_URL")
    # The SNS platform applications app push goes through (empty: no push on that platform).
    push_apns_application_arn: str = _given("PUSH_APNS_APPLICATION_ARN")
    push_fcm_application_arn: str = _given("PUSH_FCM_APPLICATION_ARN")
    # Where outbound webhooks may go: ``public`` in AWS, ``public-and-loopback`` on the local stack.
    webhook_targets: str = _given("WEBHOOK_TARGETS", pattern="^(public|public-and-loopback)$")
    order_lifecycle_state_machine_arn: str = _given("ORDER_LIFECYCLE_STATE_MACHINE_ARN")
    return_lifecycle_state_machine_arn: str = _given("RETURN_LIFECYCLE_STATE_MACHINE_ARN")
    archive_bucket: str = _given("ARCHIVE_BUCKET")
    notify_sender: str = _given("NOTIFY_SENDER")
    # Business metrics (EMF) go to this CloudWatch namespace.
    metrics_namespace: str = _given("POWERTOOLS_METRICS_NAMESPACE")

    # Secrets: a literal locally, the name of an SSM SecureString parameter in AWS (``*_PARAM``); a
    # module that uses one requires either (:func:`require_secret`).
    payment_webhook_secret: str | None = Field(None, alias="PAYMENT_WEBHOOK_SECRET")
    payment_webhook_secret_param: str | None = Field(None, alias="PAYMENT_WEBHOOK_SECRET_PARAM")
    carrier_webhook_secret: str | None = Field(None, alias="CARRIER_WEBHOOK_SECRET")
    carrier_webhook_secret_param: str | None = Field(None, alias="CARRIER_WEBHOOK_SECRET_PARAM")
    # The payment providers' and carrier aggregators' own keys (docs/deploy.md "Providers"): webhook secrets,
    # the providers' public keys our notices are verified with, and our private keys our calls are signed with.
    stripe_webhook_secret: str | None = Field(None, alias="STRIPE_WEBHOOK_SECRET")
    stripe_webhook_secret_param: str | None = Field(None, alias="STRIPE_WEBHOOK_SECRET_PARAM")
    stripe_api_key: str | None = Field(None, alias="STRIPE_API_KEY")
    stripe_api_key_param: str | None = Field(None, alias="STRIPE_API_KEY_PARAM")
    alipay_public_key: str | None = Field(None, alias="ALIPAY_PUBLIC_KEY")
    alipay_public_key_param: str | None = Field(None, alias="ALIPAY_PUBLIC_KEY_PARAM")
    alipay_app_id: str | None = Field(None, alias="ALIPAY_APP_ID")
    alipay_app_id_param: str | None = Field(None, alias="ALIPAY_APP_ID_PARAM")
    alipay_app_private_key: str | None = Field(None, alias="ALIPAY_APP_PRIVATE_KEY")
    alipay_app_private_key_param: str | None = Field(None, alias="ALIPAY_APP_PRIVATE_KEY_PARAM")
    wechatpay_platform_public_key: str | None = Field(None, alias="WECHATPAY_PLATFORM_PUBLIC_KEY")
    wechatpay_platform_public_key_param: str | None = Field(None, alias="WECHATPAY_PLATFORM_PUBLIC_KEY_PARAM")
    wechatpay_apiv3_key: str | None = Field(None, alias="WECHATPAY_APIV3_KEY")
    wechatpay_apiv3_key_param: str | None = Field(None, alias="WECHATPAY_APIV3_KEY_PARAM")
    wechatpay_merchant_private_key: str | None = Field(None, alias="WECHATPAY_MERCHANT_PRIVATE_KEY")
    wechatpay_merchant_private_key_param: str | None = Field(
        None, alias="WECHATPAY_MERCHANT_PRIVATE_KEY_PARAM"
    )
    wechatpay_mchid: str | None = Field(None, alias="WECHATPAY_MCHID")
    wechatpay_mchid_param: str | None = Field(None, alias="WECHATPAY_MCHID_PARAM")
    wechatpay_merchant_serial: str | None = Field(None, alias="WECHATPAY_MERCHANT_SERIAL")
    wechatpay_merchant_serial_param: str | None = Field(None, alias="WECHATPAY_MERCHANT_SERIAL_PARAM")
    kuaidi100_salt: str | None = Field(None, alias="KUAIDI100_SALT")
    kuaidi100_salt_param: str | None = Field(None, alias="KUAIDI100_SALT_PARAM")
    aftership_webhook_secret: str | None = Field(None, alias="AFTERSHIP_WEBHOOK_SECRET")
    aftership_webhook_secret_param: str | None = Field(None, alias="AFTERSHIP_WEBHOOK_SECRET_PARAM")
    easypost_webhook_secret: str | None = Field(None, alias="EASYPOST_WEBHOOK_SECRET")
    easypost_webhook_secret_param: str | None = Field(None, alias="EASYPOST_WEBHOOK_SECRET_PARAM")

    # Business timers and thresholds (see docs/rules.md); their defaults are the template's parameters'.
    payment_timeout_minutes: int = _given("PAYMENT_TIMEOUT_MINUTES", gt=0)
    review_sla_hours: int = _given("REVIEW_SLA_HOURS", gt=0)
    large_order_threshold: int = _given("LARGE_ORDER_THRESHOLD", gt=0)
    auto_confirm_days: int = _given("AUTO_CONFIRM_DAYS", gt=0)
    stale_shipment_hours: int = _given("STALE_SHIPMENT_HOURS", gt=0)
    archive_after_days: int = _given("ARCHIVE_AFTER_DAYS", gt=0)
    return_review_sla_hours: int = _given("RETURN_REVIEW_SLA_HOURS", gt=0)
    return_shipping_payer: str = _given("RETURN_SHIPPING_PAYER", pattern="^(buyer|platform_subsidy)$")
    stock_shards: int = _given("STOCK_SHARDS", ge=1, le=32)

    # Not in the template, so their defaults are what the functions use.
    # A returned parcel is inspected within this many hours of arriving back (docs/rules.md).
    return_inspection_sla_hours: int = Field(48, alias="RETURN_INSPECTION_SLA_HOURS", gt=0)
    # ``sandbox`` settles every refund at once; ``live`` calls the provider of the order's payment method.
    payment_provider: str = _given("PAYMENT_PROVIDER", pattern="^(sandbox|live)$")
    # The providers' API endpoints (a test points them at local servers that check requests as they do).
    stripe_api_url: str = Field("https://api.stripe.com", alias="STRIPE_API_URL")
    alipay_gateway_url: str = Field("https://openapi.alipay.com/gateway.do", alias="ALIPAY_GATEWAY_URL")
    wechatpay_api_url: str = Field("https://api.mch.weixin.qq.com", alias="WECHATPAY_API_URL")
    max_body_bytes: int = Field(64 * 1024, alias="MAX_BODY_BYTES", gt=0)

    @model_validator(mode="after")
    def _forget_what_was_not_given(self) -> Settings:
        for name in [name for name, value in self.__dict__.items() if value is _NOT_GIVEN]:
            del self.__dict__[name]  # reading it now goes to __getattr__: a clear error, never a marker
        return self

    if not TYPE_CHECKING:  # keep mypy's check of attribute names

        def __getattr__(self, name: str) -> Any:
            field = type(self).model_fields.get(name)
            if field is not None and field.alias is not None:
                raise MissingSetting(_missing(field.alias, by=None))
            return super().__getattr__(name)

    def value(self, variable: str) -> Any:
        """The value of ``variable`` (a setting's name), or None when this function was not given it."""
        return self.__dict__.get(_FIELD_OF[variable])

    def has(self, variable: str) -> bool:
        """Whether ``variable`` (a setting's name, e.g. ``TABLE_NAME``) has a value in this function."""
        return self.__dict__.get(_FIELD_OF[variable]) is not None


_FIELD_OF = {field.alias: name for name, field in Settings.model_fields.items() if field.alias}
# The variables with no default: the template gives each to the functions whose modules require it.
NO_DEFAULT = frozenset(
    field.alias for field in Settings.model_fields.values() if field.alias and field.default is _NOT_GIVEN
)

# What each module declared it needs, for tests and tools (module name -> variables).
_DECLARED: dict[str, tuple[str, ...]] = {}


@lru_cache(maxsize=1)
def settings() -> Settings:
    # An empty value is no value: the template never means "" for a name, an ARN or a number.
    return Settings.model_validate({key: value for key, value in os.environ.items() if value.strip()})


def reload() -> Settings:
    """Re-read the environment (the local stack and tests change it between runs)."""
    settings.cache_clear()
    return settings()


def require(*variables: str, by: str) -> None:
    """Declare, at the top of module ``by``, the settings it cannot work without; raise
    :class:`MissingSetting` now (the function's cold start) if its environment lacks one."""
    _declare(by, variables)
    current = settings()
    for variable in variables:
        if not current.has(variable):
            raise MissingSetting(_missing(variable, by=by))


def require_secret(variable: str, *, by: str) -> None:
    """Like :func:`require` for a secret: its literal value or its SSM parameter's name (``*_PARAM``)."""
    parameter = f"{variable}_PARAM"
    _declare(by, (variable, parameter))
    current = settings()
    if not (current.has(variable) or current.has(parameter)):
        raise MissingSetting(_missing(parameter, by=by, alternative=variable))


def declare(*variables: str, by: str) -> None:
    """Declare settings module ``by`` reads only in some modes, where it reads them (never at import)."""
    _declare(by, variables)


def declared() -> dict[str, tuple[str, ...]]:
    """The settings each module imported so far declared it needs."""
    return dict(_DECLARED)


def _declare(by: str, variables: tuple[str, ...]) -> None:
    unknown = [variable for variable in variables if variable not in _FIELD_OF]
    if unknown:
        raise ValueError(f"{by} requires {', '.join(unknown)}: not a setting of oms.config.Settings")
    _DECLARED[by] = tuple(dict.fromkeys((*_DECLARED.get(by, ()), *variables)))


def _missing(variable: str, *, by: str | None, alternative: str | None = None) -> str:
    """``ARCHIVE_BUCKET is not set (needed by oms.jobs.archive_orders, function oms-ArchiveOrders)``."""
    named = [name for name in (variable, alternative) if name]
    empty = any(name in os.environ and not os.environ[name].strip() for name in named)
    state = "is empty" if empty else "is not set"
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")  # set by Lambda's runtime
    context = [f"needed by {by}"] if by else []
    context += [f"function {function}"] if function else []
    return " or ".join(named) + f" {state}" + (f" ({', '.join(context)})" if context else "")
