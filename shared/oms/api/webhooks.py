"""Signed webhooks from the payment provider and the carriers (API.md "Webhooks").

The signature is checked on the raw body before anything is parsed: an unsigned request learns nothing.
"""

from typing import Annotated, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ValidationError

from oms import metrics, secrets, signatures
from oms.api.carrier_notices import router as carrier_notices
from oms.api.payment_notices import router as payment_notices
from oms.config import require_secret
from oms.domain.carriers import CARRIER_CODES
from oms.http import create_app, json_response, validation_problem
from oms.lifecycle import payments, tracking, tracking_queue
from oms.problems import FieldError, Unauthorized, ValidationProblem
from oms.store.table import Table

require_secret("PAYMENT_WEBHOOK_SECRET", by=__name__)
require_secret("CARRIER_WEBHOOK_SECRET", by=__name__)
# The providers' own keys are declared by their routes (payment_notices, carrier_notices).

app = create_app()
app.include_router(payment_notices)
app.include_router(carrier_notices)
M = TypeVar("M", bound=BaseModel)


def _signed(source: str, accepted: tuple[str, ...], model: type[M]) -> M:
    body = app.current_event.body or ""
    try:
        signatures.verify(accepted, app.current_event.headers.get("x-signature"), body)
    except Unauthorized:
        metrics.webhook_signature_failed(source)
        raise
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise validation_problem(list(error.errors())) from error


@app.post("/v1/webhooks/payments", summary="Payment provider events (signed)")
def payment_webhook() -> Response[str]:
    event = _signed("payments", secrets.payment_webhook_secrets(), payments.PaymentEvent)
    outcome = payments.handle(Table(), event)
    return json_response(200, {"received": True, "event_id": event.event_id, "outcome": outcome})


@app.post(
    "/v1/webhooks/carriers/<carrier>", summary="Carrier tracking events (signed), applied in the background"
)
def carrier_webhook(carrier: Annotated[str, Path()]) -> Response[str]:
    # The carrier code is checked after the signature, so an unsigned request learns nothing of it.
    # Each carrier signs with its own secret: a body signed for one carrier fails on another's path.
    event = _signed("carriers", secrets.carrier_webhook_secrets_of(carrier), tracking.CarrierEvent)
    if carrier not in CARRIER_CODES:
        raise ValidationProblem("Unknown carrier.", errors=[FieldError("carrier", "is not a carrier code")])
    if tracking.already_applied(Table(), carrier, event.event_id):
        return json_response(200, {"received": True, "event_id": event.event_id, "outcome": "duplicate"})
    tracking_queue.enqueue(carrier, event)
    return json_response(202, {"received": True, "event_id": event.event_id, "outcome": "queued"})
