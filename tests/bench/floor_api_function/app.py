"""The cold-start floor of an API function: the worker's floor plus powertools' HTTP resolver with request
validation (what the API functions route with) and one validated route, and no service code."""

from typing import Annotated, Any

import boto3  # noqa: F401 - the import is the point
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)


class Order(BaseModel):
    order_id: str


@app.post("/orders")
def place(order: Annotated[Order, Body()]) -> dict[str, Any]:
    return order.model_dump()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
