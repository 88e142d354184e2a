"""The event catalogue as the service serves it: the AsyncAPI 3.0 document is valid by AsyncAPI's own
JSON Schema (the ``@asyncapi/specs`` package, installed by ``make``), each message's payload is the
event's JSON Schema served at ``/v1/event-schemas/{name}``, and what the bus carries fits it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from oms import event_catalogue, events
from oms_local.testing import StackClient

from tests.e2e.shop import ok
from tests.unit.test_event_catalogue import SAMPLES

SPEC = (
    Path(__file__).parents[2] / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0-without-$id.json"
)


def test_the_asyncapi_document_is_valid_asyncapi_3(stack: StackClient) -> None:
    assert SPEC.is_file(), "the AsyncAPI specification's schemas come with `make test` (npm install)"
    document = ok(stack.request("GET", "/asyncapi.json"))
    validator = jsonschema.Draft7Validator(json.loads(SPEC.read_text()))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert document["asyncapi"] == "3.0.0"
    messages = document["components"]["messages"]
    assert {m["name"] for m in messages.values()} == set(event_catalogue.PUBLIC_NAMES.values())
    # A broken document is refused by the same check (the check can fail).
    broken = {**document, "channels": {"orderEvents": {"messages": "everything"}}}
    assert list(validator.iter_errors(broken))


def test_each_message_is_the_events_served_json_schema(stack: StackClient) -> None:
    messages = ok(stack.request("GET", "/asyncapi.json"))["components"]["messages"]
    listed = ok(stack.request("GET", "/v1/event-schemas"))
    assert set(listed) == {m["name"] for m in messages.values()}
    for message in messages.values():
        payload = message["payload"]
        assert payload["schemaFormat"] == "application/schema+json;version=draft-07"
        jsonschema.Draft7Validator.check_schema(payload["schema"])
        served = ok(stack.request("GET", f"/v1/event-schemas/{message['name']}"))
        assert served == payload["schema"] == listed[message["name"]]
    missing = stack.request("GET", "/v1/event-schemas/order.teleported")
    assert (missing.status, missing.json()["code"]) == (404, "event_not_found")


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).detail_type())
def test_what_the_bus_carries_fits_the_published_draft_07_schema(event: event_catalogue.DomainEvent) -> None:
    detail = json.loads(json.dumps(events.entry(event.detail_type(), "evt_1", event.detail())["Detail"]))
    schema = event_catalogue.json_schemas()[event.detail_type()]
    jsonschema.validate(detail, schema, cls=jsonschema.Draft7Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**detail, "unexpected": 1}, schema, cls=jsonschema.Draft7Validator)
