"""The benchmark harness runs end to end at a tiny scale (no timing is asserted, only the report's shape
and that nothing is oversold)."""

from __future__ import annotations

from pathlib import Path

from oms_local.testing import Worlds

from tests.bench import harness, report


def test_quick_benchmark_reports_every_figure(local_worlds: Worlds, tmp_path: Path) -> None:
    config = harness.Config.build(quick=True, scale=1.0, engines=["moto"])
    found = harness.run(config, local_worlds)

    figures = found["figures"]
    assert set(figures) == set(harness.FIGURES)
    for name in ("placement", "throughput", "jobs", "cost", "webhooks"):
        assert "error" not in figures[name]["moto"], figures[name]["moto"]
    for name in ("cold_start", "hot_sku"):
        assert "error" not in figures[name], figures[name]
    for label, result in figures["memory"].items():
        assert "error" not in result, (label, result)

    placement = figures["placement"]["moto"]
    assert set(placement["ways"]) == {"raw", "handlers", "http"}
    assert {"handlers_over_raw", "http_over_raw"} <= set(placement["ratios"])
    for summary in placement["ways"].values():
        assert {"median", "p99", "p10", "p90", "n"} <= set(summary)
    throughput = figures["throughput"]["moto"]
    assert {cell["mode"] for cell in throughput["cells"]} == {"in_process", "workers"}
    for cell in throughput["cells"]:
        audit = cell["audit"]
        for key in ("oversold_units", "lost_orders", "duplicated_orders", "reservation_mismatch_units"):
            assert audit[key] == 0, (cell["mode"], cell["clients"], key, audit)
    for row in throughput["summary"]:
        assert row["workers_over_in_process"] > 0
    for size in figures["jobs"]["moto"]["sizes"]:
        assert size["moved_exactly_the_due"]
    webhooks = figures["webhooks"]["moto"]
    for row in webhooks["latency"]:
        assert row["received"] == row["expected"], row
    sender = webhooks["sender"]
    assert sender["received"] == sender["deliveries"] + 5 and sender["per_second"] > 0
    assert figures["cost"]["moto"]["per_1000_orders_usd"]["total_listed_prices"] > 0
    cold = figures["cold_start"]
    assert {"baseline (boto3 only)", "validate_order"} <= set(cold["functions"])
    assert cold["functions"]["validate_order"]["import_ratio_to_baseline"] > 0
    if cold["runtime_python"]:  # a Python 3.12 on this machine: the same handlers loaded by it too
        assert cold["functions"]["validate_order"]["runtime_import_cpu_ratio_to_baseline"] > 0
    assert {"commit", "cpu_count", "cpu_model", "python"} <= set(found["meta"])

    written = report.write(found, tmp_path, stem="smoke", dated=False)
    assert {p.name for p in written} == {"smoke.json", "smoke.md"}
    assert "## 1. Order placement overhead" in (tmp_path / "smoke.md").read_text()
