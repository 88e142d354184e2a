"""The buyer's own notices (API.md "Inbox, preferences and devices"): the in-app inbox, which channels
carry which kinds of notice, and the app installations push goes to."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from oms.api.common import PageCursor
from oms.domain.notice_preferences import Preferences
from oms.http import create_app, json_response, principal
from oms.notices import push
from oms.store import inbox
from oms.store.table import Table

app = create_app()
NoticeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_:.-]{1,128}$")]
DeviceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Device(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Literal["apns", "fcm"]
    token: str = Field(min_length=8, max_length=4096, pattern=r"^[A-Za-z0-9:_\-.]+$")
    app_version: str | None = Field(None, max_length=32)


@app.get("/v1/me/inbox", summary="My notices, newest first, with how many are unread")
def list_inbox(
    limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: PageCursor = None, unread: bool = False
) -> Response[str]:
    who = principal(app)
    table = Table()
    items, next_cursor = inbox.page(table, who.subject, limit, cursor, unread)
    return json_response(
        200,
        {
            "items": [inbox.view(i) for i in items],
            "next_cursor": next_cursor,
            "unread": inbox.unread_count(table, who.subject),
        },
    )


@app.post("/v1/me/inbox/<notice_id>/read", summary="Mark a notice read (again is no change)")
def read_notice(notice_id: NoticeId) -> Response[str]:
    who = principal(app)
    return json_response(200, inbox.view(inbox.mark_read(Table(), who.subject, notice_id)))


@app.get("/v1/me/notification-preferences", summary="Which kinds of notice each channel carries")
def get_preferences() -> Response[str]:
    return json_response(200, inbox.preferences(Table(), principal(app).subject))


@app.put(
    "/v1/me/notification-preferences", summary="Choose the kinds of notice per channel (the inbox keeps all)"
)
def put_preferences(body: Annotated[Preferences, Body()]) -> Response[str]:
    return json_response(200, inbox.set_preferences(Table(), principal(app).subject, body))


@app.put("/v1/me/devices/<device_id>", summary="Register this app installation for push (again refreshes it)")
def register_device(device_id: DeviceId, body: Annotated[Device, Body()]) -> Response[str]:
    who = principal(app)
    endpoint = push.register(body.platform, body.token, who.subject)
    fields = {"platform": body.platform, "endpoint_arn": endpoint, "app_version": body.app_version}
    item = inbox.put_device(
        Table(), who.subject, device_id, {k: v for k, v in fields.items() if v is not None}
    )
    return json_response(200, _device_view(item))


@app.get("/v1/me/devices", summary="My app installations that get push")
def list_devices() -> Response[str]:
    found = inbox.devices(Table(), principal(app).subject)
    return json_response(200, {"devices": [_device_view(d) for d in found]})


@app.delete("/v1/me/devices/<device_id>", summary="Stop push to this installation")
def remove_device(device_id: DeviceId) -> Response[str]:
    who = principal(app)
    table = Table()
    device = inbox.get_device(table, who.subject, device_id)
    if device is not None:
        push.unregister(device["endpoint_arn"])
        inbox.remove_device(table, who.subject, device_id)
    return Response(status_code=204, body="")


def _device_view(item: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in item.items() if k not in ("pk", "sk", "endpoint_arn", "customer_id")}
