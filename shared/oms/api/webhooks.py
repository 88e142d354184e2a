"""Signed webhooks from the payment provider and the carriers (API.md "Webhooks").

The signature is checked on the raw body before anything is parsed: an unsigned request learns nothing.
"""

from typing import TypeVar

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel, ValidationError

from oms import secrets, signatures
from oms.http import create_app, json_response, validation_problem
from oms.lifecycle import payments
from oms.store.table import Table

app = create_app()
M = TypeVar("M", bound=BaseModel)


def _signed(secret: str, model: type[M]) -> M:
    body = app.current_event.body or ""
    signatures.verify(secret, app.current_event.headers.get("x-signature"), body)
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise validation_problem(list(error.errors())) from error


@app.post("/v1/webhooks/payments", summary="Payment provider events (signed)")
def payment_webhook() -> Response[str]:
    event = _signed(secrets.payment_webhook_secret(), payments.PaymentEvent)
    outcome = payments.handle(Table(), event)
    return json_response(200, {"received": True, "event_id": event.event_id, "outcome": outcome})
