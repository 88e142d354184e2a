"""Back-office return work: review with an alternative, inspection, the message thread."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from oms.http import create_app, json_response, require_admin
from oms.lifecycle import returns
from oms.lifecycle.common import retry_return_on_race
from oms.store import returns as store
from oms.store.table import Table
from oms.views import return_view

app = create_app()
RETURN_ID = r"^ret_[0-9a-z]{20}$"


def _act(return_id: str, act: returns.ReturnAction) -> Response[str]:
    table = Table()
    return json_response(
        200, return_view(retry_return_on_race(table, return_id, None, lambda item: act(table, item)))
    )


@app.get("/v1/admin/returns/<return_id>", summary="Any return")
def get_return(return_id: Annotated[str, Path(pattern=RETURN_ID)]) -> Response[str]:
    require_admin(app)
    return json_response(200, return_view(store.get_for(Table(), return_id, None)))


@app.post("/v1/admin/returns/<return_id>/review", summary="Approve, or reject with an alternative")
def review_return(
    return_id: Annotated[str, Path(pattern=RETURN_ID)], body: Annotated[returns.ReturnDecision, Body()]
) -> Response[str]:
    who = require_admin(app)
    return _act(return_id, lambda table, item: returns.decide(table, item, body, who.subject))


@app.post("/v1/admin/returns/<return_id>/inspection", summary="What came back, per item")
def inspect_return(
    return_id: Annotated[str, Path(pattern=RETURN_ID)], body: Annotated[returns.Inspection, Body()]
) -> Response[str]:
    who = require_admin(app)
    return _act(return_id, lambda table, item: returns.inspect(table, item, body, who.subject))


@app.post("/v1/admin/returns/<return_id>/messages", summary="Staff reply on a return's thread")
def post_message(
    return_id: Annotated[str, Path(pattern=RETURN_ID)], body: Annotated[returns.Message, Body()]
) -> Response[str]:
    who = require_admin(app)
    table = Table()
    item = store.get_for(table, return_id, None)
    return json_response(201, return_view(returns.post_message(table, item, body, who.subject, "staff")))
