"""The payment providers' own notices (API.md "Provider notices"): Stripe, Alipay and WeChat Pay post to
their routes in their formats; each is verified as its provider specifies on the raw body, then applied
through the same payment use cases as our own webhook. Each answers in the shape its provider expects."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from oms import metrics
from oms.config import require_secret
from oms.http import JSON, dumps, json_response
from oms.lifecycle import payment_notices
from oms.problems import Problem, Unauthorized
from oms.providers import alipay_notices, stripe_notices, wechatpay_notices
from oms.secrets import provider_secret
from oms.store.table import Table

for _variable in (
    "STRIPE_WEBHOOK_SECRET",
    "ALIPAY_PUBLIC_KEY",
    "ALIPAY_APP_ID",
    "WECHATPAY_PLATFORM_PUBLIC_KEY",
    "WECHATPAY_APIV3_KEY",
):
    require_secret(_variable, by=__name__)

router = Router()


def _body() -> str:
    return router.current_event.decoded_body or ""


def _headers() -> dict[str, str]:
    return {name.lower(): value for name, value in (router.current_event.headers or {}).items()}


def _signature_failed(provider: str, error: Unauthorized) -> Unauthorized:
    metrics.webhook_signature_failed(provider)
    return error


@router.post("/v1/webhooks/payments/stripe", summary="Stripe webhook events (Stripe-Signature)")
def stripe_webhook() -> Response[str]:
    body = _body()
    try:
        stripe_notices.verify(
            provider_secret("STRIPE_WEBHOOK_SECRET"), _headers().get("stripe-signature"), body
        )
    except Unauthorized as error:
        raise _signature_failed("stripe", error) from None
    event = stripe_notices.parse(body)
    outcome = payment_notices.apply(Table(), stripe_notices.meaning(event))
    return json_response(200, {"received": True, "event_id": event.id, "outcome": outcome})


@router.post("/v1/webhooks/payments/alipay", summary="Alipay asynchronous notices (RSA2)")
def alipay_notice() -> Response[str]:
    # Alipay retries until the answer is exactly ``success``; a refusal is a problem (anything else).
    params = alipay_notices.parse_form(_body())
    try:
        alipay_notices.verify(params, provider_secret("ALIPAY_PUBLIC_KEY"), provider_secret("ALIPAY_APP_ID"))
    except Unauthorized as error:
        raise _signature_failed("alipay", error) from None
    payment_notices.apply(Table(), alipay_notices.meaning(params))
    return Response(status_code=200, content_type="text/plain", body="success")


@router.post("/v1/webhooks/payments/wechatpay", summary="WeChat Pay API v3 notices (signed, encrypted)")
def wechatpay_notice() -> Response[str]:
    # WeChat Pay wants 200/204 and no body, or {"code": "FAIL", "message": …} with a 4xx/5xx.
    try:
        body = _body()
        try:
            wechatpay_notices.verify(_headers(), body, provider_secret("WECHATPAY_PLATFORM_PUBLIC_KEY"))
        except Unauthorized as error:
            raise _signature_failed("wechatpay", error) from None
        notice = wechatpay_notices.parse(body)
        resource = wechatpay_notices.decrypt(notice.resource, provider_secret("WECHATPAY_APIV3_KEY"))
        payment_notices.apply(Table(), wechatpay_notices.meaning(notice, resource))
    except Problem as problem:
        answer = {"code": "FAIL", "message": problem.detail, "error": problem.code}
        return Response(status_code=problem.status, content_type=JSON, body=dumps(answer))
    return Response(status_code=204, content_type=JSON, body="")
