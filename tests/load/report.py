"""The load run's report: a table on the terminal, and results/latest.md + latest.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def markdown(found: dict[str, Any]) -> str:
    config = found["config"]
    audit = found["audit"]
    faults = f", faults {config['faults']}" if config.get("faults") else ""
    lines = [
        "# Load run",
        "",
        f"Engine {config['engine']}{faults}; {config['buyers']} buyers, {config['shippers']} shippers; "
        f"{config['hot_skus']} hot SKUs ({config['hot_stock']} units each), {config['cold_skus']} cold; "
        f"bounded to {config['seconds']:g} s and {config['max_orders']} orders. Loopback only.",
        "",
        f"**{'PASS' if found['ok'] else 'FAIL'}**"
        + (f": {'; '.join(found['failures'])}" if found["failures"] else ""),
        "",
        "| figure | value |",
        "|---|---|",
        f"| orders placed (201) | {found['orders_placed']} |",
        f"| orders/s (while buying) | {found['orders_per_second']} |",
        f"| requests | {found['requests']} in {found['seconds']} s |",
        f"| orders shipped | {found['orders_shipped']} |",
        *([f"| faults injected | {found['faults_injected']} |"] if found.get("faults_injected") else []),
        f"| 5xx answers (after retries) | {found['server_errors']} ({found['server_errors_after_retries']}) |",
        f"| lost orders (201 not stored) | {len(audit['lost_orders'])} |",
        f"| stored orders no 201 named | {len(audit['unanswered_orders'])} |",
        f"| SKUs oversold or unbalanced | {len(audit['oversold_skus'])} |",
        f"| units shipped | {audit['units_shipped']} |",
        f"| order statuses | {', '.join(f'{k} {v}' for k, v in sorted(audit['statuses'].items()))} |",
        "",
        "| route | n | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r} | {v['n']} | {v['p50_ms']} | {v['p99_ms']} |" for r, v in found["routes"].items()]
    lines += ["", "| route | status | code | count | first detail |", "|---|---|---|---:|---|"]
    for key, count in found["errors"].items():
        route, status, code = key.split("|")
        detail = found.get("error_details", {}).get(key, "").replace("|", "/")
        lines.append(f"| {route} | {status} | {code} | {count} | {detail} |")
    if found["retried"]:
        lines += [
            "",
            "Retried with the same key: " + ", ".join(f"{r} {n}" for r, n in found["retried"].items()),
        ]
    hot = audit["hot_skus"]
    if hot:
        lines += ["", "| hot SKU | received | on hand | reserved | shipped |", "|---|---:|---:|---:|---:|"]
        lines += [
            f"| {sku} | {v['received']} | {v['on_hand']} | {v['reserved']} | {v['shipped']} |"
            for sku, v in hot.items()
        ]
    return "\n".join(lines) + "\n"


def write(found: dict[str, Any], out: Path = RESULTS) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(markdown(found), encoding="utf-8")
    (out / "latest.json").write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out / "latest.md"
