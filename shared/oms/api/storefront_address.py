"""The buyer corrects the shipping address before shipment (API.md "Storefront")."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from oms.domain.address import Address
from oms.http import create_app, json_response, principal
from oms.lifecycle.address_change import change_address
from oms.store import orders, races
from oms.store.table import Table
from oms.views import order_view

app = create_app()
ORDER_ID = r"^ord_[0-9a-z]{20}$"


@app.patch(
    "/v1/orders/<order_id>/shipping-address",
    summary="Correct the address before shipment; an order held for an incomplete address resumes",
)
def change_shipping_address(
    order_id: Annotated[str, Path(pattern=ORDER_ID)], body: Annotated[Address, Body()]
) -> Response[str]:
    who = principal(app)
    table = Table()
    races.retry_on_race(
        orders.reader(table, order_id, who.subject),
        lambda order: change_address(table, order, body, who.subject),
        f"order {order_id}",
    )
    return json_response(200, order_view(*orders.record_for(table, order_id, who.subject)))
