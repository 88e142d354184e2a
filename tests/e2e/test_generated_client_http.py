"""An integrator's generated client against the local stack: placing and reading an order through
``openapi-python-client``'s typed functions and models, over HTTP."""

from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import Iterator
from types import ModuleType

import pytest
from oms.api.meta import openapi_document
from oms_local.testing import StackClient

from tests.e2e.shop import order_body, product
from tests.openapi_client import PACKAGE, generate


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    into = tmp_path_factory.mktemp("generated")
    run = generate(openapi_document(), into)
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(into))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(into))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_an_order_placed_and_read_through_the_generated_client(
    stack: StackClient, client_package: ModuleType
) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    place = importlib.import_module(f"{PACKAGE}.api.default.place_order_v1_orders_post")
    read = importlib.import_module(f"{PACKAGE}.api.default.get_order_v1_orders_order_id_get")
    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    client = client_package.AuthenticatedClient(base_url=stack.url, token=stack.customer_token(buyer))
    body = models.PlaceOrderRequest.from_dict(order_body((product(stack, 5), 2, 3900)))

    placed = place.sync(client=client, body=body, idempotency_key=uuid.uuid4().hex)
    assert isinstance(placed, models.Order), placed
    assert placed.status == models.OrderStatus.PENDING_PAYMENT
    assert placed.totals.subtotal == 7800 and placed.items[0].quantity == 2

    found = read.sync(order_id=placed.id, client=client)
    assert isinstance(found, models.Order)
    assert (found.id, found.totals.total, found.currency) == (placed.id, placed.totals.total, "CNY")
    assert [entry.type_ for entry in found.timeline] == ["placed"]

    stranger = client_package.AuthenticatedClient(base_url=stack.url, token=stack.customer_token("cus_other"))
    missing = read.sync(order_id=placed.id, client=stranger)
    assert isinstance(missing, models.Problem) and (missing.status, missing.code) == (404, "order_not_found")
