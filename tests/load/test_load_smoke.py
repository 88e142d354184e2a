"""A few seconds of the load run on moto: nothing lost, nothing oversold, no 5xx, and a report written."""

from __future__ import annotations

import json
from pathlib import Path

from oms_local.testing import Worlds

from tests.load import report
from tests.load.run import Config, run


def test_a_short_load_run_keeps_every_order_and_every_unit(local_worlds: Worlds, tmp_path: Path) -> None:
    world = local_worlds.get("moto")
    world.reset()
    config = Config(seconds=5, max_orders=200, buyers=4, shippers=1, hot_skus=2, hot_stock=6, cold_skus=5)
    found = run(world, config)
    assert found["ok"], (found["failures"], found["error_details"])
    assert found["orders_placed"] > 0 and found["audit"]["orders_stored"] == found["orders_placed"]
    assert found["routes"]["POST /v1/orders"]["n"] >= found["orders_placed"]
    report.write(found, tmp_path)
    assert "POST /v1/orders" in (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))["ok"] is True
