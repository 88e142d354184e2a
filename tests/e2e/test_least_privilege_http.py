"""Least privilege, proven locally: each function calls AWS as its own role from template.yaml, so a
permission taken out of the template makes that function's story fail here with AWS's AccessDenied, as it
would in AWS — and the unchanged template lets the same story through."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from oms_local.template import TEMPLATE_PATH, load
from oms_local.testing import StackClient, Worlds

from tests.e2e.shop import inventory, ok, order_body, orders_of, place, product

GRANT = """            - Effect: Allow
              Action: states:StartSyncExecution
              Resource: !Ref PlaceOrderStateMachine
"""


@pytest.fixture
def without_start_sync(local_worlds: Worlds, engine: str) -> Iterator[StackClient]:
    """The stack booted from template.yaml less the storefront's ``states:StartSyncExecution``."""
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    assert text.count(GRANT) == 1, "the storefront's StartSyncExecution grant moved: update this test"
    # Beside template.yaml, so its CodeUri folders resolve as they do for the real one.
    copy = TEMPLATE_PATH.with_name(f".template-least-privilege-{uuid.uuid4().hex[:8]}.yaml")
    copy.write_text(text.replace(GRANT, ""), encoding="utf-8")
    try:
        template = load(Path(copy))
    finally:
        copy.unlink()
    world = local_worlds.get(engine, template=template)
    world.reset()
    try:
        yield world
    finally:
        local_worlds.get(engine)  # back to the real template for the tests that follow


def test_a_permission_taken_out_of_the_template_fails_that_story_with_access_denied(
    without_start_sync: StackClient,
) -> None:
    stack = without_start_sync
    tea = product(stack, 5)  # the admin function keeps its own grants: it still works
    answer = place(stack, order_body((tea, 1, 3900)), "cus_denied")
    assert answer.status >= 500, answer.text
    assert orders_of(stack, "cus_denied") == []
    assert inventory(stack, tea)["reserved"] == 0
    authorizer = stack.cloud.authorizer
    assert authorizer is not None
    denied = [r for r in authorizer.denied() if r.function == "StorefrontApiFunction"]
    assert [r.action for r in denied] == ["states:StartSyncExecution"]
    assert denied[0].resource.endswith(
        ":stateMachine:" + stack.local.template.state_machines["PlaceOrderStateMachine"].name
    )


def test_with_the_template_as_it_is_the_same_story_goes_through(stack: StackClient) -> None:
    tea = product(stack, 5)
    placed = ok(place(stack, order_body((tea, 1, 3900)), "cus_allowed"), 201)
    assert placed["status"] == "pending_payment"
    authorizer = stack.cloud.authorizer
    assert authorizer is not None
    assert authorizer.denied() == []
