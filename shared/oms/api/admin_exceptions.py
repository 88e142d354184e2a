"""Back-office exception handling (异常订单处理): record, settle, and the open list with owners and deadlines."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from oms import clock, idempotency, ids
from oms.http import create_app, json_response, require_admin
from oms.ids import ID_PATTERN
from oms.lifecycle import order_exceptions
from oms.lifecycle.resolutions import Resolution
from oms.store import order_exceptions as stored_exceptions
from oms.store import orders
from oms.store.table import Item, Table

app = create_app()
ORDER_ID = r"^ord_[0-9a-z]{20}$"
_INTERNAL = frozenset({"pk", "sk", "queue", "queue_key"})


def exception_view(exception: Item, now: str | None = None) -> dict[str, Any]:
    view = {k: v for k, v in exception.items() if k not in _INTERNAL}
    deadline = exception.get("deadline")
    view["overdue"] = bool(
        exception.get("status") == "open" and deadline and deadline < (now or clock.now_iso())
    )
    return view


@app.post(
    "/v1/admin/orders/<order_id>/exceptions",
    summary="Record an exception with its owner and deadline, and settle it at once when a resolution comes",
)
def record_exception(
    order_id: Annotated[str, Path(pattern=ORDER_ID)],
    body: Annotated[order_exceptions.ExceptionInput, Body()],
) -> Response[str]:
    who = require_admin(app)
    key = idempotency.key_from(app, required=False)
    exception_id = ids.derived_id("exc", who.subject, order_id, key) if key else ids.new_id("exc")

    def produce() -> Response[str]:
        table = Table()
        orders.get_for(table, order_id, None)
        exception = order_exceptions.record(table, order_id, body, exception_id, who.subject)
        return json_response(201, exception_view(exception))

    return idempotency.once(app, f"exceptions#{order_id}", key, body.model_dump(mode="json"), produce)


@app.post(
    "/v1/admin/orders/<order_id>/exceptions/<exception_id>/resolve",
    summary="Settle an open exception: reship, refund, partial refund, compensation or contact the customer",
)
def resolve_exception(
    order_id: Annotated[str, Path(pattern=ORDER_ID)],
    exception_id: Annotated[str, Path(pattern=ID_PATTERN)],
    body: Annotated[Resolution, Body()],
) -> Response[str]:
    who = require_admin(app)
    key = idempotency.key_from(app, required=False)

    def produce() -> Response[str]:
        table = Table()
        orders.get_for(table, order_id, None)
        exception = order_exceptions.resolve(table, order_id, exception_id, body, who.subject)
        return json_response(200, exception_view(exception))

    scope = f"resolve#{order_id}#{exception_id}"
    return idempotency.once(app, scope, key, body.model_dump(mode="json"), produce)


@app.get("/v1/admin/exceptions", summary="Open exceptions, nearest deadline first, with owner and deadline")
def open_exceptions(
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response[str]:
    require_admin(app)
    items, next_cursor = stored_exceptions.list_open(Table(), limit, cursor)
    now = clock.now_iso()
    views = [exception_view(item, now) for item in items]
    return json_response(
        200, {"items": views, "overdue": sum(v["overdue"] for v in views), "next_cursor": next_cursor}
    )
