"""Back-office return work: review with an alternative, inspection, the message thread."""

from collections.abc import Callable
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from oms.api.common import ReturnId, act_on_return, post_on_return
from oms.api.return_requests import Inspection, Message, ReturnDecision
from oms.http import create_app, json_response, require_admin
from oms.lifecycle import return_decisions, return_inspection, returns
from oms.store import returns as store
from oms.store.table import Item, Table
from oms.views import return_view

app = create_app()

StaffAction = Callable[[Table, Item, str], Item]


def _by_staff(return_id: str, act: StaffAction) -> Response[str]:
    """``act`` on any return in the name of the admin calling."""
    who = require_admin(app)
    return act_on_return(return_id, None, lambda table, item: act(table, item, who.subject))


@app.get("/v1/admin/returns/<return_id>", summary="Any return")
def get_return(return_id: ReturnId) -> Response[str]:
    require_admin(app)
    return json_response(200, return_view(store.get_for(Table(), return_id, None)))


@app.post("/v1/admin/returns/<return_id>/review", summary="Approve, or reject with an alternative")
def review_return(return_id: ReturnId, body: Annotated[ReturnDecision, Body()]) -> Response[str]:
    return _by_staff(return_id, lambda table, item, by: return_decisions.decide(table, item, body, by))


@app.post("/v1/admin/returns/<return_id>/inspection", summary="What came back, per item")
def inspect_return(return_id: ReturnId, body: Annotated[Inspection, Body()]) -> Response[str]:
    return _by_staff(return_id, lambda table, item, by: return_inspection.inspect(table, item, body, by))


@app.post("/v1/admin/returns/<return_id>/messages", summary="Staff reply on a return's thread")
def post_message(return_id: ReturnId, body: Annotated[Message, Body()]) -> Response[str]:
    who = require_admin(app)
    return post_on_return(
        return_id, None, lambda table, item: returns.post_message(table, item, body, who.subject, "staff")
    )
