"""Kuaidi100's subscription push (订阅推送, https://api.kuaidi100.com/document/): a form POST with ``param``
(JSON) and ``sign`` = upper-case hex MD5 of ``param`` + salt. ``lastResult`` holds the parcel
(``com``, ``nu``) and its newest state; the answer is ``{"result": true, "returnCode": "200", "message":
"成功"}``, anything else makes Kuaidi100 push again.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from oms.domain.tracking import CarrierStatus
from oms.providers import tracking_notices
from oms.providers.notices import MalformedNotice, invalid_signature, parsed

BEIJING = timezone(timedelta(hours=8))
C = CarrierStatus
# ``state`` codes (快递100 物流状态): 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投,
# 8 清关, 14 拒签; finer codes (101 已下单 … 1002 …) fall under their first digit's family.
STATES: dict[str, CarrierStatus] = {
    "0": C.in_transit,
    "1": C.info_received,
    "2": C.exception,
    "3": C.delivered,
    "4": C.returned_to_sender,
    "5": C.out_for_delivery,
    "6": C.returned_to_sender,
    "7": C.in_transit,
    "8": C.in_transit,
    "14": C.returned_to_sender,
}
WORDS = {"0": "在途", "1": "揽收", "2": "疑难", "3": "签收", "4": "退签", "5": "派件", "6": "退回", "7": "转投",
         "8": "清关", "14": "拒签"}  # fmt: skip
ACCEPTED = {"result": True, "returnCode": "200", "message": "成功"}


def verify(param: str, sign: str, salt: str) -> None:
    expected = hashlib.md5((param + salt).encode()).hexdigest().upper()
    if not hmac.compare_digest(expected.encode(), sign.encode("utf-8", "surrogateescape")):
        raise invalid_signature("The sign is not MD5(param + salt).")


class _Step(BaseModel):
    model_config = ConfigDict(extra="allow")

    context: str = Field("", max_length=500)
    time: str = ""
    ftime: str = ""
    areaName: str | None = Field(None, max_length=200)


class _Result(BaseModel):
    model_config = ConfigDict(extra="allow")

    com: str = Field(min_length=1, max_length=40)
    nu: str = Field(min_length=1, max_length=40)
    state: str = Field("0", max_length=8)
    data: list[_Step] = []


class Push(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str = Field(max_length=20)  # polling, shutdown, abort, updateall
    message: str = ""
    lastResult: _Result


def parse(param: str) -> Push:
    return parsed(Push, param, "a Kuaidi100 push")


def _moment(step: _Step | None) -> datetime:
    text = (step.ftime or step.time) if step else ""
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError as error:
        raise MalformedNotice(f"{text!r} is not a Kuaidi100 time.") from error


def event(push: Push) -> tuple[str | None, dict[str, Any]]:
    """Our carrier code (None: not one of ours) and the tracking event the push tells."""
    result = push.lastResult
    newest = result.data[0] if result.data else None  # Kuaidi100 lists the newest step first
    state = result.state
    status = STATES.get(state) or STATES.get(state[:1]) if state.isdigit() else None
    written = f"{state} {WORDS.get(state, '')}".strip()
    if push.status == "abort":
        # Kuaidi100 stopped following the parcel (no news for too long, or a bad number): a person looks.
        status, written = C.exception, f"abort {push.message}".strip()
    moment = _moment(newest) if newest else None
    found = {
        "event_id": tracking_notices.event_id("kuaidi100", result.com, result.nu, push.status, state,
                                              moment.isoformat() if moment else ""),
        "tracking_number": result.nu,
        "status": status,
        "carrier_status": written[:100],
        "occurred_at": moment,
        "location": newest.areaName if newest else None,
        "description": (newest.context if newest else push.message)[:500] or None,
    }  # fmt: skip
    return tracking_notices.carrier_of(result.com), found
