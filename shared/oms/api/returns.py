"""Storefront return routes (API.md "Storefront"): the policy, eligibility, requests and their thread."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from oms import idempotency
from oms.domain import return_policy
from oms.http import create_app, json_response, principal
from oms.lifecycle import returns
from oms.lifecycle.common import retry_on_race, retry_return_on_race
from oms.store import orders
from oms.store import returns as store
from oms.store.table import Table
from oms.views import return_view

app = create_app()
ORDER_ID = r"^ord_[0-9a-z]{20}$"
RETURN_ID = r"^ret_[0-9a-z]{20}$"


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
def get_eligibility(order_id: Annotated[str, Path(pattern=ORDER_ID)]) -> Response[str]:
    who = principal(app)
    table = Table()
    order = orders.get_for(table, order_id, who.subject)
    return json_response(200, {"order_id": order_id, "items": returns.eligibility(table, order)})


@app.post("/v1/orders/<order_id>/returns", summary="Ask to return items")
def request_return(
    order_id: Annotated[str, Path(pattern=ORDER_ID)], body: Annotated[returns.ReturnRequest, Body()]
) -> Response[str]:
    who = principal(app)
    key = idempotency.key_from(app, required=False)
    table = Table()

    def produce() -> Response[str]:
        item = retry_on_race(
            table, order_id, who.subject, lambda order: returns.request_return(table, order, body, key)
        )
        return json_response(201, return_view(item))

    return idempotency.once(app, f"returns#{who.subject}", key, body.model_dump(mode="json"), produce)


@app.get("/v1/returns", summary="The caller's returns, newest first")
def list_returns(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response[str]:
    who = principal(app)
    items, next_cursor = store.list_for_customer(Table(), who.subject, limit, cursor)
    return json_response(200, {"items": [return_view(i) for i in items], "next_cursor": next_cursor})


@app.get("/v1/returns/<return_id>", summary="A return: status, decision, shipping payer, refund")
def get_return(return_id: Annotated[str, Path(pattern=RETURN_ID)]) -> Response[str]:
    who = principal(app)
    return json_response(200, return_view(store.get_for(Table(), return_id, who.subject)))


def _act(return_id: str, customer_id: str, act: returns.ReturnAction) -> Response[str]:
    table = Table()
    return json_response(
        200, return_view(retry_return_on_race(table, return_id, customer_id, lambda item: act(table, item)))
    )


@app.post("/v1/returns/<return_id>/shipment", summary="The buyer hands the parcel to a carrier")
def ship_return(
    return_id: Annotated[str, Path(pattern=RETURN_ID)], body: Annotated[returns.ReturnParcel, Body()]
) -> Response[str]:
    who = principal(app)
    return _act(
        return_id, who.subject, lambda table, item: returns.record_parcel(table, item, body, who.subject)
    )


@app.post("/v1/returns/<return_id>/cancel", summary="Withdraw a return that has not been shipped back")
def cancel_return(return_id: Annotated[str, Path(pattern=RETURN_ID)]) -> Response[str]:
    who = principal(app)
    return _act(return_id, who.subject, lambda table, item: returns.cancel(table, item, who.subject))


@app.post("/v1/returns/<return_id>/accept-alternative", summary="Take the alternative a refusal offered")
def accept_alternative(return_id: Annotated[str, Path(pattern=RETURN_ID)]) -> Response[str]:
    who = principal(app)
    return _act(
        return_id, who.subject, lambda table, item: returns.accept_alternative(table, item, who.subject)
    )


@app.post(
    "/v1/returns/<return_id>/decline-alternative", summary="Turn down the alternative a refusal offered"
)
def decline_alternative(return_id: Annotated[str, Path(pattern=RETURN_ID)]) -> Response[str]:
    who = principal(app)
    return _act(
        return_id, who.subject, lambda table, item: returns.decline_alternative(table, item, who.subject)
    )


@app.post("/v1/returns/<return_id>/messages", summary="A message to the staff on the return")
def post_message(
    return_id: Annotated[str, Path(pattern=RETURN_ID)], body: Annotated[returns.Message, Body()]
) -> Response[str]:
    who = principal(app)
    table = Table()
    item = store.get_for(table, return_id, who.subject)
    return json_response(201, return_view(returns.post_message(table, item, body, who.subject, "customer")))
