"""The carrier aggregators' pushes read and verified as they document them (EasyPost's signature also
checked with its own SDK)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
from easypost.errors import SignatureVerificationError
from easypost.util import validate_webhook
from oms.domain.tracking import CarrierStatus
from oms.problems import Unauthorized
from oms.providers import aftership, easypost, kuaidi100, tracking_notices
from oms.providers.notices import MalformedNotice

from tests.carrier_notices import (
    AFTERSHIP_SECRET,
    EASYPOST_SECRET,
    SALT,
    aftership_body,
    aftership_headers,
    easypost_body,
    easypost_headers,
    kuaidi100_form,
    kuaidi100_param,
)

C = CarrierStatus


@pytest.mark.parametrize(
    ("courier", "ours"),
    [("shunfeng", "sf"), ("sf-express", "sf"), ("SFExpress", "sf"), ("zhongtong", "zto"), ("yuantong", "yto"),
     ("shentong", "sto"), ("yunda", "yunda"), ("jd", "jd"), ("ems", "ems"), ("china-ems", "ems"), ("ups", None)],
)  # fmt: skip
def test_aggregators_courier_codes_name_our_carriers(courier: str, ours: str | None) -> None:
    assert tracking_notices.carrier_of(courier) == ours


def test_a_kuaidi100_push_signed_with_the_salt_verifies_and_reads() -> None:
    form = dict(parse_qsl(kuaidi100_form(kuaidi100_param("shunfeng", "SF1234567890", "3"))))
    kuaidi100.verify(form["param"], form["sign"], SALT)
    carrier, found = kuaidi100.event(kuaidi100.parse(form["param"]))
    assert carrier == "sf"
    assert (found["tracking_number"], found["status"], found["carrier_status"]) == (
        "SF1234567890",
        C.delivered,
        "3 签收",
    )
    assert found["occurred_at"] == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 16:00 in Beijing
    assert found["location"] == "广东,深圳市"


@pytest.mark.parametrize("case", ["other salt", "lower case", "tampered", "unsigned"])
def test_a_kuaidi100_push_not_signed_with_our_salt_is_refused(case: str) -> None:
    param = kuaidi100_param("shunfeng", "SF1234567890", "3")
    form = dict(parse_qsl(kuaidi100_form(param, salt="another" if case == "other salt" else SALT)))
    if case == "lower case":
        form["sign"] = form["sign"].lower()
    if case == "tampered":
        form["param"] = form["param"].replace('"3"', '"0"')
    if case == "unsigned":
        form["sign"] = ""
    with pytest.raises(Unauthorized):
        kuaidi100.verify(form["param"], form["sign"], SALT)


@pytest.mark.parametrize(
    ("state", "status"),
    [("0", C.in_transit), ("1", C.info_received), ("2", C.exception), ("3", C.delivered), ("4", C.returned_to_sender),
     ("5", C.out_for_delivery), ("6", C.returned_to_sender), ("14", C.returned_to_sender), ("501", C.out_for_delivery),
     ("301", C.delivered), ("9", None)],
)  # fmt: skip
def test_kuaidi100_states_map_to_ours_and_others_are_kept_as_written(
    state: str, status: CarrierStatus | None
) -> None:
    _, found = kuaidi100.event(kuaidi100.parse(kuaidi100_param("zhongtong", "ZT12345678", state)))
    assert found["status"] == status
    assert found["carrier_status"].split()[0] == state


def test_a_kuaidi100_abort_is_an_exception_for_a_person() -> None:
    push = json.loads(kuaidi100_param("yunda", "YD12345678", "0", status="abort"))
    push["message"] = "3天查询无记录"
    _, found = kuaidi100.event(kuaidi100.parse(json.dumps(push, ensure_ascii=False)))
    assert (found["status"], found["carrier_status"]) == (C.exception, "abort 3天查询无记录")


def test_the_same_kuaidi100_news_has_the_same_event_id() -> None:
    one = kuaidi100.event(kuaidi100.parse(kuaidi100_param("shunfeng", "SF1234567890", "3")))[1]["event_id"]
    again = kuaidi100.event(kuaidi100.parse(kuaidi100_param("shunfeng", "SF1234567890", "3")))[1]["event_id"]
    later = kuaidi100.event(
        kuaidi100.parse(kuaidi100_param("shunfeng", "SF1234567890", "3", when="2026-11-26 10:00:00"))
    )
    assert one == again != later[1]["event_id"]


@pytest.mark.parametrize(
    "param", ["not json", "{}", json.dumps({"status": "polling", "lastResult": {"com": "sf"}})]
)
def test_a_param_that_is_no_kuaidi100_push_is_malformed(param: str) -> None:
    with pytest.raises(MalformedNotice):
        kuaidi100.parse(param)


def test_an_aftership_webhook_signed_with_the_secret_verifies_and_reads() -> None:
    body = aftership_body("sf-express", "SF1234567890", "Delivered")
    aftership.verify(body, aftership_headers(body)["aftership-hmac-sha256"], AFTERSHIP_SECRET)
    carrier, found = aftership.event(aftership.parse(body))
    assert (carrier, found["status"], found["carrier_status"]) == ("sf", C.delivered, "Delivered_001")
    with pytest.raises(Unauthorized):
        aftership.verify(
            body.replace("Delivered", "InTransit"),
            aftership_headers(body)["aftership-hmac-sha256"],
            AFTERSHIP_SECRET,
        )
    with pytest.raises(Unauthorized):
        aftership.verify(
            body, aftership_headers(body, secret="another")["aftership-hmac-sha256"], AFTERSHIP_SECRET
        )


@pytest.mark.parametrize(
    ("tag", "subtag", "status"),
    [("InfoReceived", None, C.info_received), ("InTransit", None, C.in_transit), ("OutForDelivery", None, C.out_for_delivery),
     ("AttemptFail", None, C.failed_attempt), ("Exception", "Exception_012", C.lost), ("Exception", "Exception_013", C.damaged),
     ("Exception", "Exception_004", C.returned_to_sender), ("Exception", "Exception_001", C.exception), ("Expired", None, None),
     ("Pending", None, None)],
)  # fmt: skip
def test_aftership_tags_map_to_ours(tag: str, subtag: str | None, status: CarrierStatus | None) -> None:
    _, found = aftership.event(aftership.parse(aftership_body("zto-express", "ZT12345678", tag, subtag)))
    assert found["status"] == status


def test_an_easypost_event_verifies_as_easyposts_sdk_verifies_it() -> None:
    body = easypost_body("SFExpress", "SF1234567890", "delivered")
    headers = easypost_headers(body)
    assert validate_webhook(body.encode(), headers, EASYPOST_SECRET)["id"]  # the SDK accepts our signing
    easypost.verify(body, headers["X-Hmac-Signature"], EASYPOST_SECRET)
    tampered = body.replace("delivered", "in_transit")
    with pytest.raises(SignatureVerificationError):
        validate_webhook(tampered.encode(), headers, EASYPOST_SECRET)
    with pytest.raises(Unauthorized):
        easypost.verify(tampered, headers["X-Hmac-Signature"], EASYPOST_SECRET)
    told = easypost.event(easypost.parse(body))
    assert told is not None
    carrier, found = told
    assert (carrier, found["status"], found["location"]) == ("sf", C.delivered, "Shenzhen, CN")
    assert (
        easypost.event(easypost.parse(easypost_body("SFExpress", "SF1", "delivered", "batch.created")))
        is None
    )


@pytest.mark.parametrize(
    ("written", "status"),
    [("pre_transit", C.info_received), ("in_transit", C.in_transit), ("out_for_delivery", C.out_for_delivery),
     ("delivered", C.delivered), ("return_to_sender", C.returned_to_sender), ("failure", C.exception), ("unknown", None)],
)  # fmt: skip
def test_easypost_statuses_map_to_ours(written: str, status: CarrierStatus | None) -> None:
    told = easypost.event(easypost.parse(easypost_body("ZTO", "ZT12345678", written)))
    assert told is not None and told[1]["status"] == status
