"""The cold-start floor of a worker: what the product card fixes (boto3, pydantic, powertools' Logger) and
no service code: one model, one logger, as every step function has at least."""

from typing import Any

import boto3  # noqa: F401 - the import is the point
from aws_lambda_powertools import Logger
from pydantic import BaseModel

logger = Logger()


class Step(BaseModel):
    order_id: str


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return Step.model_validate(event).model_dump()
