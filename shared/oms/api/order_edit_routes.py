"""What the storefront's and the back office's order-edit routes share (apart from ``oms.api.common``, so
the functions without those routes do not load the edit machinery at start-up)."""

from aws_lambda_powertools.event_handler import Response

from oms import ids
from oms.domain.order_edits import OrderEditRequest
from oms.http import json_response
from oms.lifecycle import order_edits
from oms.store import orders, races
from oms.store.table import Table
from oms.views import edit_view, order_view


def preview_edit(order_id: str, customer_id: str | None, body: OrderEditRequest) -> Response[str]:
    """What an edit would make of the order (the caller's own, unless None); nothing is written."""
    table = Table()
    return json_response(200, order_edits.preview(table, orders.get_for(table, order_id, customer_id), body))


def commit_edit(
    order_id: str, customer_id: str | None, body: OrderEditRequest, key: str | None, by: str
) -> Response[str]:
    """Commit the edit; a retry with the same idempotency key answers with the edit it made."""
    edit_id = ids.derived_id("edt", order_id, key) if key else ids.new_id("edt")
    table = Table()
    order, edit = races.retry_on_race(
        orders.reader(table, order_id, customer_id),
        lambda current: order_edits.commit(table, current, body, edit_id, by),
        f"order {order_id}",
    )
    return json_response(200, {"order": order_view(order), "edit": edit_view(edit)})
