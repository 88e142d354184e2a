"""Storefront return routes (API.md "Storefront"): the policy, eligibility, requests and their thread."""

from collections.abc import Callable
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from oms import idempotency
from oms.api.common import (
    OrderId,
    PageCursor,
    PageLimit,
    ReturnId,
    act_on_return,
    page_response,
    post_on_return,
)
from oms.api.return_requests import Message, ReturnParcel, ReturnRequest
from oms.domain import return_policy
from oms.http import create_app, json_response, principal
from oms.lifecycle import after_sales, return_decisions, return_parcel, returns
from oms.store import orders, races
from oms.store import returns as store
from oms.store.table import Item, Table
from oms.views import return_view

app = create_app()

CustomerAction = Callable[[Table, Item, str], Item]


@app.get("/v1/return-policy", summary="The published return policy")
def get_policy() -> Response[str]:
    policy = returns.policy()
    return json_response(
        200,
        {
            **policy.model_dump(mode="json"),
            "reasons": [
                {
                    "reason": r.value,
                    "merchant_fault": r in return_policy.MERCHANT_FAULT,
                    "evidence_required": r in policy.evidence_required_for,
                    "shipping_payer": return_policy.shipping_payer(r, policy).value,
                }
                for r in return_policy.Reason
            ],
        },
    )


@app.get("/v1/orders/<order_id>/return-eligibility", summary="Per item: may it be returned, why, until when")
def get_eligibility(order_id: OrderId) -> Response[str]:
    who = principal(app)
    table = Table()
    order = orders.get_for(table, order_id, who.subject)
    return json_response(200, {"order_id": order_id, "items": returns.eligibility(table, order)})


@app.post("/v1/orders/<order_id>/returns", summary="Ask to return items")
def request_return(order_id: OrderId, body: Annotated[ReturnRequest, Body()]) -> Response[str]:
    who = principal(app)
    key = idempotency.key_from(app, required=False)
    table = Table()

    def produce() -> Response[str]:
        item = races.retry_on_race(
            orders.reader(table, order_id, who.subject),
            lambda order: after_sales.request(table, order, body, key),
            f"order {order_id}",
        )
        return json_response(201, return_view(item))

    return idempotency.once(app, f"returns#{who.subject}", key, body.model_dump(mode="json"), produce)


@app.get("/v1/returns", summary="The caller's returns, newest first")
def list_returns(limit: PageLimit = 20, cursor: PageCursor = None) -> Response[str]:
    who = principal(app)
    return page_response(*store.list_for_customer(Table(), who.subject, limit, cursor), return_view)


@app.get("/v1/returns/<return_id>", summary="A return: status, decision, shipping payer, refund")
def get_return(return_id: ReturnId) -> Response[str]:
    who = principal(app)
    return json_response(200, return_view(store.get_for(Table(), return_id, who.subject)))


def _by_customer(return_id: str, act: CustomerAction) -> Response[str]:
    """``act`` on the caller's own return in their name."""
    who = principal(app)
    return act_on_return(return_id, who.subject, lambda table, item: act(table, item, who.subject))


@app.post("/v1/returns/<return_id>/shipment", summary="The buyer hands the parcel to a carrier")
def ship_return(return_id: ReturnId, body: Annotated[ReturnParcel, Body()]) -> Response[str]:
    return _by_customer(return_id, lambda table, item, by: return_parcel.record_parcel(table, item, body, by))


@app.post("/v1/returns/<return_id>/cancel", summary="Withdraw a return that has not been shipped back")
def cancel_return(return_id: ReturnId) -> Response[str]:
    return _by_customer(return_id, returns.cancel)


@app.post("/v1/returns/<return_id>/accept-alternative", summary="Take the alternative a refusal offered")
def accept_alternative(return_id: ReturnId) -> Response[str]:
    return _by_customer(return_id, return_decisions.accept_alternative)


@app.post(
    "/v1/returns/<return_id>/decline-alternative", summary="Turn down the alternative a refusal offered"
)
def decline_alternative(return_id: ReturnId) -> Response[str]:
    return _by_customer(return_id, return_decisions.decline_alternative)


@app.post("/v1/returns/<return_id>/messages", summary="A message to the staff on the return")
def post_message(return_id: ReturnId, body: Annotated[Message, Body()]) -> Response[str]:
    who = principal(app)
    return post_on_return(
        return_id,
        who.subject,
        lambda table, item: returns.post_message(table, item, body, who.subject, "customer"),
    )
