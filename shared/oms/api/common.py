"""What the storefront and back-office routes share: their path and paging parameters, and acting on one
order or return as read (again, within bounds, when it moved meanwhile) to answer with its view."""

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from oms.http import json_response
from oms.store import orders, races, returns
from oms.store.table import Item, Table
from oms.views import order_view, return_view

ORDER_ID = r"^ord_[0-9a-z]{20}$"
RETURN_ID = r"^ret_[0-9a-z]{20}$"

OrderId = Annotated[str, Path(pattern=ORDER_ID)]
ReturnId = Annotated[str, Path(pattern=RETURN_ID)]
PageLimit = Annotated[int, Query(ge=1, le=100)]
PageCursor = Annotated[str | None, Query(max_length=2048)]

Action = Callable[[Table, Item], Item]


def page_response(
    items: Iterable[Item], next_cursor: str | None, view: Callable[[Item], Any]
) -> Response[str]:
    return json_response(200, {"items": [view(i) for i in items], "next_cursor": next_cursor})


def _acted(read: Callable[[Table], Callable[[], Item]], act: Action, what: str) -> Item:
    """``act`` on the item as it is now, read again after a lost race (``races.retry_on_race``)."""
    table = Table()
    return races.retry_on_race(read(table), lambda item: act(table, item), what)


def act_on_order(order_id: str, customer_id: str | None, act: Action) -> Response[str]:
    """``act`` on the order (the customer's own, unless None) and answer with the order it leaves."""
    order = _acted(lambda table: orders.reader(table, order_id, customer_id), act, f"order {order_id}")
    return json_response(200, order_view(order))


def act_on_return(return_id: str, customer_id: str | None, act: Action) -> Response[str]:
    """``act`` on the return (the customer's own, unless None) and answer with the return it leaves."""
    item = _acted(lambda table: returns.reader(table, return_id, customer_id), act, f"return {return_id}")
    return json_response(200, return_view(item))


def post_on_return(return_id: str, customer_id: str | None, post: Action) -> Response[str]:
    """Add to the return's message thread: ``post`` on it as read, answered 201 with the return."""
    table = Table()
    item = returns.get_for(table, return_id, customer_id)
    return json_response(201, return_view(post(table, item)))
