"""Pushes signed as the carrier aggregators sign them, from their documentation: Kuaidi100's
``MD5(param + salt)`` upper-case, AfterShip's base64 HMAC-SHA256 of the body, EasyPost's
``hmac-sha256-hex=`` (the ``easypost`` SDK's own validator checks ours in the tests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any
from urllib.parse import urlencode

from oms_local import DEFAULT_PROVIDER_SECRETS

SALT = DEFAULT_PROVIDER_SECRETS["KUAIDI100_SALT"]
AFTERSHIP_SECRET = DEFAULT_PROVIDER_SECRETS["AFTERSHIP_WEBHOOK_SECRET"]
EASYPOST_SECRET = DEFAULT_PROVIDER_SECRETS["EASYPOST_WEBHOOK_SECRET"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def kuaidi100_param(
    com: str, nu: str, state: str, when: str = "2026-11-25 16:00:00", status: str = "polling"
) -> str:
    steps = [
        {
            "context": "【深圳市】已签收，签收人：本人",
            "time": when,
            "ftime": when,
            "areaName": "广东,深圳市",
            "status": "签收",
        },
        {"context": "【深圳市】快件已到达", "time": "2026-11-24 09:00:00", "ftime": "2026-11-24 09:00:00"},
    ]
    push = {
        "status": status,
        "billstatus": "check",
        "message": "",
        "lastResult": {"message": "ok", "state": state, "status": "200", "condition": "F00", "ischeck": "1",
                       "com": com, "nu": nu, "data": steps},
    }  # fmt: skip
    return json.dumps(push, ensure_ascii=False)


def kuaidi100_form(param: str, salt: str = SALT) -> str:
    sign = hashlib.md5((param + salt).encode()).hexdigest().upper()
    return urlencode({"param": param, "sign": sign})


def aftership_body(
    slug: str, number: str, tag: str, subtag: str | None = None, when: str = "2026-11-25T08:00:00+00:00"
) -> str:
    tracking = {
        "id": uuid.uuid4().hex,
        "tracking_number": number,
        "slug": slug,
        "tag": tag,
        "subtag": subtag or f"{tag}_001",
        "checkpoints": [
            {
                "checkpoint_time": "2026-11-24T01:00:00+00:00",
                "message": "Arrived at facility",
                "tag": "InTransit",
            },
            {"checkpoint_time": when, "message": "Delivered", "location": "Shenzhen", "tag": tag},
        ],
    }
    return json.dumps({"event": "tracking_update", "event_id": str(uuid.uuid4()), "is_tracking_first_tag": False,
                       "msg": tracking, "ts": 1764057600})  # fmt: skip


def aftership_headers(body: str, secret: str = AFTERSHIP_SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json", "aftership-hmac-sha256": digest}


def easypost_body(carrier: str, code: str, status: str, description: str = "tracker.updated") -> str:
    tracker: dict[str, Any] = {
        "id": f"trk_{uuid.uuid4().hex}",
        "object": "Tracker",
        "tracking_code": code,
        "carrier": carrier,
        "status": status,
        "tracking_details": [
            {"object": "TrackingDetail", "datetime": "2026-11-25T08:00:00Z", "message": "Delivered", "status": status,
             "tracking_location": {"city": "Shenzhen", "country": "CN"}},
        ],
    }  # fmt: skip
    return json.dumps(
        {"id": f"evt_{uuid.uuid4().hex}", "object": "Event", "description": description, "result": tracker}
    )


def easypost_headers(body: str, secret: str = EASYPOST_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hmac-Signature": f"hmac-sha256-hex={digest}"}
