"""The catalogue of domain events: every event published is a model in it, built in one place, and its
JSON Schema accepts what the bus carries (checked with the jsonschema validator, not our own models)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from oms import event_catalogue as ev
from oms import events

OMS = Path(__file__).resolve().parents[2] / "shared" / "oms"
C = {"order_id": "ord_1", "customer_id": "cus_1"}
ORDER = {"id": "ord_1", "customer_id": "cus_1"}
RETURN = {"id": "ret_1", "order_id": "ord_1", "customer_id": "cus_1", "status": "cancelled"}
SAMPLES: list[ev.DomainEvent] = [
    ev.OrderPlaced(**C, total=7800),
    ev.OrderPaid(**C, amount=7800, review=["large_amount"]),
    ev.DepositPaid(
        **C,
        amount=1000,
        balance=8900,
        balance_opens_at="2026-12-10T00:00:00Z",
        balance_closes_at="2026-12-12T00:00:00Z",
    ),
    ev.PresaleBalanceDue(**C, stage="open", balance=8900, balance_closes_at="2026-12-12T00:00:00Z"),
    ev.OrderApproved(**C),
    ev.FeedbackGiven(**C, rating=4, tags=["fast_delivery"], skus=["TEA-250"], carriers=["sf"]),
    ev.FeedbackGiven(
        **C,
        rating=2,
        tags=[],
        skus=["TEA-250"],
        carriers=[],
        previous_rating=4,
        previous_tags=["fast_delivery"],
    ),
    ev.OrderEdited(**C, edit_id="edt_1", state="applied", total=3900, difference=-1500),
    ev.OrderEdited(
        **C,
        edit_id="edt_2",
        state="awaiting_balance",
        total=9900,
        difference=2100,
        balance_due_at="2026-12-05T08:00:00.000Z",
    ),
    ev.OrderCancelled(**C, reason="payment_timeout"),
    ev.PaymentFailed(**C, payment_due_at=None),
    ev.OrderShipped.of(ORDER, {"id": "shp_1", "carrier": "sf", "tracking_number": "SF1"}, complete=False),
    ev.OrderDelivered(**C, shipment_id="shp_1"),
    ev.OrderCompleted(**C, how="auto"),
    ev.OrderException.opened(ORDER, {"id": "exc_1", "kind": "stale_shipment"}, {"id": "shp_1"}),
    ev.OrderExceptionResolved.of(ORDER, {"id": "exc_1", "kind": "stale_shipment"}, "reshipped"),
    ev.SlaBreached(**C, subject_id="ret_1", kind="return_review", deadline="2026-12-01T00:00:00Z"),
    ev.RefundRequested.of({"id": "ref_1", "order_id": "ord_1", "customer_id": "cus_1", "amount": 100}),
    ev.RefundIssued.of({"id": "ref_1", "order_id": "ord_1", "customer_id": "cus_1", "amount": 100}),
    ev.ReturnRequested.about(RETURN, reason="damaged"),
    ev.ReturnApproved.about(RETURN),
    ev.ReturnLapsed.about(RETURN),
    ev.ReturnMessage.about(RETURN),
    ev.ReturnRejected.about(RETURN, alternative="repair"),
    ev.ReturnClosed.about(RETURN, outcome="refused"),
    ev.ReturnDisputed.about(RETURN, disputed=[{"sku": "TEA", "condition": "missing"}]),
    ev.ReturnCancelled.moved(RETURN),
    ev.ReturnReceived.moved(RETURN),
    ev.ReturnInspected.moved(RETURN),
    ev.ReturnIntercepting.moved(RETURN),
    ev.ReturnInterceptionFailed.about(RETURN),
    ev.ExchangeUpdated.of(
        {
            **RETURN,
            "exchange": {
                "replacement_order_id": "ord_2",
                "difference": 2000,
                "ships": "at_first_scan",
                "payment_due_at": "2026-12-05T08:00:00.000Z",
            },
        },
        "approved",
    ),
]


def _published_types() -> set[str]:
    """The event classes passed to ``events.publish``/``for_workflow`` (or built by a helper that is)."""
    names = set()
    for path in OMS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name) and node.id in ev.CATALOGUE and path.name != "event_catalogue.py":
                names.add(node.id)
    return names


def test_there_is_a_sample_of_every_event_and_every_published_event_is_in_the_catalogue() -> None:
    assert {type(e).detail_type() for e in SAMPLES} == set(ev.CATALOGUE)
    published = _published_types()
    assert published <= set(ev.CATALOGUE)
    # Every catalogued event is published somewhere (none is dead; the bases are not in the catalogue).
    assert (
        set(ev.CATALOGUE) - published <= {"ReturnCancelled", "ReturnReceived", "ReturnInspected"} | published
    )


def test_no_publish_call_spells_a_detail_type() -> None:
    found = []
    for path in OMS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"publish", "for_workflow"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "events"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append(f"{path.relative_to(OMS)}:{node.lineno}")
    assert not found, found


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).detail_type())
def test_what_the_bus_carries_matches_the_published_schema_and_parses_back(event: ev.DomainEvent) -> None:
    entry = events.entry(event.detail_type(), "evt_1", event.detail())
    detail = json.loads(json.dumps(entry["Detail"]))
    schema = ev.json_schemas()[event.detail_type()]
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(detail, schema, cls=jsonschema.Draft202012Validator)
    assert detail["schema_version"] == 1
    assert ev.parse(event.detail_type(), detail) == event


def test_an_optional_field_not_given_is_left_out_not_sent_as_null() -> None:
    issued = ev.RefundIssued.of({"id": "ref_1", "order_id": "ord_1", "customer_id": "cus_1", "amount": 5})
    assert "return_id" not in issued.detail()
    opened = ev.OrderException.opened(ORDER, {"id": "exc_1", "kind": "payment_mismatch"})
    assert opened.detail() == {
        "schema_version": 1,
        "order_id": "ord_1",
        "customer_id": "cus_1",
        "exception_id": "exc_1",
        "kind": "payment_mismatch",
    }
    # A field the event always names goes out even when empty: consumers read it as they always did.
    assert ev.PaymentFailed(**C, payment_due_at=None).detail()["payment_due_at"] is None


def test_a_malformed_event_of_a_known_type_is_refused_and_an_unknown_type_passes() -> None:
    with pytest.raises(ValueError):
        ev.parse("OrderPaid", {"order_id": "ord_1", "customer_id": "cus_1", "amount": "lots", "review": []})
    assert ev.parse("SomethingNew", {"anything": 1}) is None


def test_the_exception_opened_payload_is_built_in_one_place() -> None:
    builders = []
    for path in OMS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "OrderException"
            ):
                builders.append(path.name)
    assert builders == [], f"OrderException built by hand in {builders}: use OrderException.opened"


def test_every_event_has_one_public_name_and_no_two_share_one() -> None:
    assert set(ev.PUBLIC_NAMES) == set(ev.CATALOGUE)
    names = list(ev.PUBLIC_NAMES.values())
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", name) for name in names)


def test_init_builds_no_event_model_and_the_first_use_builds_only_its_own() -> None:
    """A cold start builds none of the catalogue; publishing one type builds that one (figure 4)."""
    script = (
        "from oms import event_catalogue as ev\n"
        "built = lambda: sorted(n for n, m in ev.CATALOGUE.items() if m.__pydantic_complete__)\n"
        "before = built()\n"
        "ev.OrderPaid(order_id='o', customer_id='c', amount=1, review=[]).detail()\n"
        "print(before, built())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "['OrderPaid']"]
