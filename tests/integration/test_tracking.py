"""The track-shipment step and the stale-shipments job on both engines: carriers' events arrive late, twice
and out of order, and the shipment and the order only ever move forward."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from oms import clock
from oms.api import return_requests
from oms.jobs import stale_shipments
from oms.lifecycle import return_parcel, returns, tracking
from oms.store import carrier_stats, keys, order_exceptions, shipments
from oms.store import returns as stored_returns
from oms.store.table import Item, Table
from oms_local.cloud import Cloud

from tests.integration.helpers import stocked_product
from tests.integration.returns_helpers import delivered_order
from tests.integration.tracking_helpers import event, fresh, hours_ago, paid_order, ship, tracking_number

EVENTS = Path(__file__).resolve().parents[2] / "events"


def stored_shipment(table: Table, order_id: str, shipment_id: str) -> Item:
    found = table.get(*keys.shipment(order_id, shipment_id))
    assert found is not None
    return found


def shipped_order(table: Table, quantity: int = 1) -> tuple[Item, Item, str]:
    tea = stocked_product(table, 10)
    order = paid_order(table, (tea, quantity, 3900))
    number = tracking_number()
    return order, ship(table, order["id"], number), number


def test_history_is_kept_in_the_order_things_happened(cloud: object) -> None:
    table = Table()
    order, shipment, number = shipped_order(table)
    arrivals = [
        event(number, "out_for_delivery", hours_ago(1), "e3", location="济南"),
        event(number, "info_received", hours_ago(30), "e1"),
        event(number, "in_transit", hours_ago(20), "e2", location="上海"),
    ]
    assert [tracking.apply(table, "sf", e) for e in arrivals] == ["updated"] * 3

    stored = stored_shipment(table, order["id"], shipment["id"])
    assert [h["event_id"] for h in stored["history"]] == ["e1", "e2", "e3"]
    assert [h["status"] for h in stored["history"]] == ["info_received", "in_transit", "out_for_delivery"]
    assert stored["history"][0]["occurred_at"] < stored["history"][1]["occurred_at"]
    assert stored["status"] == "out_for_delivery"
    assert stored["version"] == 4
    assert stored["timer_kind"] == shipments.STALE and stored["due_at"] > clock.now_iso()


def test_the_same_event_twice_is_applied_once(cloud: object) -> None:
    table = Table()
    order, shipment, number = shipped_order(table)
    moving = event(number, "in_transit", hours_ago(2), "dup-1")
    assert tracking.apply(table, "sf", moving) == "updated"
    assert tracking.apply(table, "sf", moving) == "duplicate"
    assert tracking.already_applied(table, "sf", "dup-1")
    assert len(stored_shipment(table, order["id"], shipment["id"])["history"]) == 1


def test_a_late_event_never_moves_a_shipment_or_the_order_backwards(cloud: object) -> None:
    table = Table()
    order, shipment, number = shipped_order(table)
    assert tracking.apply(table, "sf", event(number, "delivered", hours_ago(1))) == "order_delivered"
    for late in ("out_for_delivery", "in_transit", "info_received", "exception"):
        tracking.apply(table, "sf", event(number, late, hours_ago(5)))

    stored = stored_shipment(table, order["id"], shipment["id"])
    assert stored["status"] == "delivered"
    assert len(stored["history"]) == 5
    assert stored["history"][-1]["status"] == "delivered"
    assert "timer_kind" not in stored  # nothing more is expected of a delivered parcel
    assert fresh(table, order["id"])["status"] == "delivered"


def test_an_older_event_of_a_lower_stage_does_not_undo_a_later_one(cloud: object) -> None:
    table = Table()
    order, shipment, number = shipped_order(table)
    tracking.apply(table, "sf", event(number, "out_for_delivery", hours_ago(1)))
    tracking.apply(table, "sf", event(number, "in_transit", hours_ago(3)))
    assert stored_shipment(table, order["id"], shipment["id"])["status"] == "out_for_delivery"
    tracking.apply(
        table, "sf", event(number, "in_transit", hours_ago(0.5))
    )  # a newer in_transit is news, not progress
    assert stored_shipment(table, order["id"], shipment["id"])["status"] == "out_for_delivery"


def test_delivery_of_the_last_parcel_delivers_the_order(cloud: object) -> None:
    table = Table()
    tea, cup = stocked_product(table, 10), stocked_product(table, 10, price=2500)
    order = paid_order(table, (tea, 1, 3900), (cup, 2, 2500))
    first, second = tracking_number(), tracking_number()
    ship(table, order["id"], first, [{"sku": tea, "quantity": 1}])
    ship(table, order["id"], second, [{"sku": cup, "quantity": 2}])
    assert fresh(table, order["id"])["status"] == "shipped"

    assert tracking.apply(table, "sf", event(first, "delivered", hours_ago(2))) == "updated"
    assert fresh(table, order["id"])["status"] == "shipped"
    assert tracking.apply(table, "sf", event(second, "delivered", hours_ago(1))) == "order_delivered"

    delivered = fresh(table, order["id"])
    assert delivered["status"] == "delivered"
    assert delivered["timer_kind"] == "auto_confirm" and delivered["due_at"] > clock.now_iso()
    assert delivered["timeline"][-1]["type"] == "deliver"


def test_two_parcels_delivered_at_once_still_deliver_the_order(cloud: object) -> None:
    table = Table()
    tea, cup = stocked_product(table, 10), stocked_product(table, 10, price=2500)
    order = paid_order(table, (tea, 1, 3900), (cup, 1, 2500))
    numbers = [tracking_number(), tracking_number()]
    ship(table, order["id"], numbers[0], [{"sku": tea, "quantity": 1}])
    ship(table, order["id"], numbers[1], [{"sku": cup, "quantity": 1}])
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def deliver(number: str) -> None:
        start.wait()
        outcomes.append(tracking.apply(Table(), "sf", event(number, "delivered", hours_ago(1))))

    threads = [threading.Thread(target=deliver, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["order_delivered", "updated"]
    assert fresh(table, order["id"])["status"] == "delivered"


def test_a_partly_shipped_order_waits_for_the_rest(cloud: object) -> None:
    table = Table()
    tea, cup = stocked_product(table, 10), stocked_product(table, 10, price=2500)
    order = paid_order(table, (tea, 1, 3900), (cup, 1, 2500))
    number = tracking_number()
    ship(table, order["id"], number, [{"sku": tea, "quantity": 1}])
    assert tracking.apply(table, "sf", event(number, "delivered", hours_ago(1))) == "updated"
    assert fresh(table, order["id"])["status"] == "partially_shipped"


def open_exceptions_of(table: Table, order_id: str) -> list[dict[str, Any]]:
    return [e for e in fresh(table, order_id).get("exceptions", []) if e["status"] == "open"]


def test_damage_loss_and_returns_open_an_exception_once(cloud: object) -> None:
    table = Table()
    order, shipment, number = shipped_order(table)
    assert tracking.apply(table, "sf", event(number, "damaged", hours_ago(3))) == "exception_opened"
    assert tracking.apply(table, "sf", event(number, "damaged", hours_ago(2))) == "updated"  # still open

    [opened] = open_exceptions_of(table, order["id"])
    assert (opened["kind"], opened["shipment_id"], opened["owner"]) == (
        "damaged",
        shipment["id"],
        "unassigned",
    )
    item = order_exceptions.get(table, order["id"], opened["id"])
    assert item is not None and item["detail"]["carrier_status"] == "damaged"
    listed, _ = order_exceptions.list_open(table, 100, None)
    assert opened["id"] in [e["id"] for e in listed]

    assert tracking.apply(table, "sf", event(number, "lost", hours_ago(1))) == "exception_opened"
    kinds = sorted(e["kind"] for e in open_exceptions_of(table, order["id"]))
    assert kinds == ["damaged", "lost"]
    assert stored_shipment(table, order["id"], shipment["id"])["status"] == "lost"


def test_the_second_failed_attempt_opens_an_exception(cloud: object) -> None:
    table = Table()
    order, _, number = shipped_order(table)
    assert tracking.apply(table, "sf", event(number, "failed_attempt", hours_ago(30))) == "updated"
    assert open_exceptions_of(table, order["id"]) == []
    # The second attempt arrives before news of the first would have: counting, not order, decides.
    assert tracking.apply(table, "sf", event(number, "failed_attempt", hours_ago(40))) == "exception_opened"
    assert [e["kind"] for e in open_exceptions_of(table, order["id"])] == ["delayed"]


def test_an_unknown_tracking_number_is_ignored_once(cloud: object) -> None:
    table = Table()
    stray = event("ZZ000000001", "in_transit", hours_ago(1), "stray-1")
    assert tracking.apply(table, "sf", stray) == "unknown_tracking_number"
    assert tracking.apply(table, "sf", stray) == "duplicate"


def test_the_stale_shipments_job_opens_one_delayed_exception(cloud: object) -> None:
    table = Table()
    order, shipment, number = shipped_order(table)
    assert stale_shipments.run(table)["flagged"] == 0  # not due yet

    clock.advance(73 * 3600)
    assert stale_shipments.run(table) == {"flagged": 1, "skipped": 0}
    assert stale_shipments.run(table)["flagged"] == 0
    [delayed] = open_exceptions_of(table, order["id"])
    assert (delayed["kind"], delayed["shipment_id"]) == ("delayed", shipment["id"])
    assert "timer_kind" not in stored_shipment(table, order["id"], shipment["id"])

    # News from the carrier re-arms the timer; a second stall while the first is open adds nothing.
    tracking.apply(table, "sf", event(number, "in_transit", clock.now()))
    assert stored_shipment(table, order["id"], shipment["id"])["timer_kind"] == shipments.STALE
    clock.advance(73 * 3600)
    assert stale_shipments.run(table)["flagged"] == 0
    assert len(open_exceptions_of(table, order["id"])) == 1


def test_delivered_parcels_never_go_stale(cloud: object) -> None:
    table = Table()
    order, _, number = shipped_order(table)
    tracking.apply(table, "sf", event(number, "delivered", hours_ago(1)))
    clock.advance(100 * 3600)
    assert stale_shipments.run(table)["flagged"] == 0
    assert open_exceptions_of(table, order["id"]) == []


def test_carrier_counters_follow_each_parcel_once(cloud: object) -> None:
    table = Table()
    carrier = "yunda"  # the table is empty at the start of each test: its counters are this test's alone
    tea = stocked_product(table, 20)
    on_time, late, broken = (paid_order(table, (tea, 1, 3900)) for _ in range(3))
    numbers = {name: tracking_number() for name in ("on_time", "late", "broken")}
    ship(table, on_time["id"], numbers["on_time"], carrier=carrier)
    ship(table, late["id"], numbers["late"], carrier=carrier)
    ship(table, broken["id"], numbers["broken"], carrier=carrier)

    tracking.apply(table, carrier, event(numbers["on_time"], "delivered", clock.now() + timedelta(hours=10)))
    late_at = clock.parse(late["estimated_delivery_by"]) + timedelta(days=1)
    tracking.apply(table, carrier, event(numbers["late"], "delivered", late_at))
    tracking.apply(table, carrier, event(numbers["late"], "delivered", late_at + timedelta(hours=1)))
    tracking.apply(table, carrier, event(numbers["broken"], "damaged", clock.now()))
    tracking.apply(table, carrier, event(numbers["broken"], "exception", clock.now()))

    today = clock.now().date()
    [row] = [r for r in carrier_stats.read(table, today, today) if r["carrier"] == carrier]
    assert {k: row.get(k, 0) for k in carrier_stats.COUNTERS} == {
        "shipments": 3,
        "delivered": 2,
        "delivered_promised": 2,
        "on_time": 1,
        "transit_seconds": row["transit_seconds"],
        "exceptions": 1,
        "damaged": 1,
        "lost": 0,
    }
    expected_transit = 10 * 3600 + (late_at - clock.now()).total_seconds()
    assert abs(row["transit_seconds"] - expected_transit) < 60


def sample(name: str) -> Any:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def test_the_track_shipment_function_applies_its_sample_and_retries_only_bad_records(cloud: Cloud) -> None:
    table = Table()
    order, shipment, _ = shipped_order(table)
    event = sample("track_shipment")
    record = event["Records"][0]
    body = json.loads(record["body"])
    body["event"]["tracking_number"] = shipment["tracking_number"]
    good = {**record, "body": json.dumps(body)}
    broken = {**record, "messageId": "m-2", "body": json.dumps({"carrier": "sf", "event": {"status": "?"}})}

    invoked = cloud.functions.invoke("TrackShipmentFunction", {"Records": [good, broken]})

    assert invoked.result == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    stored = stored_shipment(table, order["id"], shipment["id"])
    assert [(h["event_id"], h["location"]) for h in stored["history"]] == [("sf_91", "上海")]
    assert stored["status"] == "in_transit"


def test_the_stale_shipments_function_runs_its_sample(cloud: Cloud) -> None:
    invoked = cloud.functions.invoke("StaleShipmentsFunction", sample("stale_shipments"))
    assert invoked.result == {"flagged": 0, "skipped": 0}


def test_a_return_parcel_delivered_back_moves_its_return_on(cloud: object) -> None:
    table = Table()
    shirt = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (shirt, 1, 12900), customer="cus_back")
    request = return_requests.ReturnRequest(
        items=[{"sku": shirt, "quantity": 1}], reason="no_reason", evidence=[]
    )
    asked = returns.request_return(table, fresh(table, order["id"]), request, None)
    number = tracking_number()
    return_parcel.record_parcel(
        table, asked, return_requests.ReturnParcel(carrier="sf", tracking_number=number), "cus_back"
    )

    arrived = event(number, "delivered", hours_ago(1))
    assert tracking.apply(table, "sf", arrived) == "updated"
    assert tracking.apply(table, "sf", arrived) == "duplicate"
    back = stored_returns.get(table, asked["id"])
    assert back is not None and back["status"] == "received"
    assert fresh(table, order["id"])["status"] == "delivered"  # a return's parcel never moves the order
