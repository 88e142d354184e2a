"""Outbound webhooks, second step: one attempt of one delivery, signed as Standard Webhooks says."""

from oms.consumers import sqs_consumer
from oms.domain.webhooks import Attempt
from oms.lifecycle.webhook_sending import send
from oms.store.table import Table


def on_message(body: str) -> None:
    send(Table(), Attempt.model_validate_json(body))


handler = sqs_consumer(on_message)
