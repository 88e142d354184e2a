"""The run's report as JSON (everything) and Markdown (the figures a reader needs), written side by side."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tests.bench.stats import cell, fmt, ratio

RESULTS = Path(__file__).resolve().parent / "results"


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write(
    report: dict[str, Any], out_dir: Path = RESULTS, *, stem: str = "latest", dated: bool = True
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    text_json = json.dumps(_clean(report), indent=2, ensure_ascii=False, default=_json_default)
    text_md = markdown(report)
    written = []
    names = [stem]
    if dated:
        meta = report["meta"]
        moment = meta["started_at"].replace("-", "").replace(":", "").replace("T", "-").removesuffix("Z")
        names.append(f"{moment}-{meta['commit']}")
    for name in names:
        for suffix, text in ((".json", text_json), (".md", text_md)):
            path = out_dir / f"{name}{suffix}"
            path.write_text(text + "\n", encoding="utf-8")
            written.append(path)
    return written


def carry_forward(report: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """A run of some figures (``--only``) keeps the others from the previous report, as they were, each
    named in the header with the run it comes from."""
    previous_meta = previous.get("meta", {})
    provenance = dict(previous_meta.get("carried", {}))
    carried = {}
    for name, result in previous.get("figures", {}).items():
        if name in report["figures"]:
            continue
        report["figures"][name] = result
        carried[name] = provenance.get(name) or {
            "started_at": previous_meta.get("started_at"),
            "commit": previous_meta.get("commit"),
        }
    if carried:
        report["meta"]["carried"] = carried
    return report


# ---------------------------------------------------------------------------------------------- Markdown


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return [*lines, ""]


def _error(found: Any) -> list[str]:
    if isinstance(found, dict) and "error" in found:
        return [f"**Failed:** `{found['error']}`", ""]
    return []


def markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    figures = report["figures"]
    config = meta["config"]
    out = [
        f"# Benchmarks: {meta['started_at']} at commit {meta['commit']}"
        + (" (uncommitted changes present)" if meta.get("worktree_dirty") else ""),
        "",
        f"- Machine: {meta['cpu_count']} CPUs, {meta['cpu_model']}; Python {meta['python']} on {meta['platform']}",
        f"- Libraries: {', '.join(f'{k} {v}' for k, v in meta['libraries'].items())}; Java: {meta.get('java') or 'none'}",
        f"- Engines: {', '.join(meta['engine_names'][e] for e in meta['engines'])}",
        f"- Mode: {'quick (smoke test)' if config['quick'] else 'full'}, scale {config['scale']}; "
        f"run took {meta['run_seconds']:.0f} s",
        f"- Load average at start {meta.get('loadavg_at_start')} and end {meta.get('loadavg_at_end')} "
        "(anything above 0 on this machine is other work running beside the benchmark)",
        "- Every timing: median (p99; p10-p90; n = samples), milliseconds unless said otherwise.",
        *_carried(meta.get("carried", {})),
        "",
    ]
    out += _placement(figures.get("placement", {}))
    out += _throughput(figures.get("throughput", {}))
    out += _jobs(figures.get("jobs", {}))
    out += _cold_start(figures.get("cold_start"))
    out += _memory(figures.get("memory", {}))
    out += _hot_sku(figures.get("hot_sku"))
    out += _cost(figures.get("cost", {}))
    out += _webhooks(figures.get("webhooks", {}))
    out += ["## Run timeline", ""]
    out += _table(
        ["step", "seconds", "load average after"],
        [[t["event"], t["seconds"], str(t.get("loadavg_after", ""))] for t in meta["timeline"]],
    )
    return "\n".join(out)


def _carried(carried: dict[str, dict[str, Any]]) -> list[str]:
    runs: dict[tuple[str, str], list[str]] = {}
    for name, run in carried.items():
        runs.setdefault((str(run.get("started_at")), str(run.get("commit"))), []).append(name)
    return [
        f"- Not measured in this run, kept from the run of {started} at commit {commit}: {', '.join(names)}"
        for (started, commit), names in sorted(runs.items())
    ]


def _placement(found: dict[str, Any]) -> list[str]:
    if not found:
        return []
    out = [
        "## 1. Order placement overhead",
        "",
        "raw = the DynamoDB work of one order with boto3 (BatchGetItem + TransactWriteItems); handlers = "
        "validate-order then reserve-stock called in-process; http = POST /v1/orders through the gateway, "
        "the API function and the Express workflow, every function run in the stack's process (so the "
        "breakdown sees the calls inside them; figure 2 compares with worker processes). Interleaved rounds "
        "on one table, orders deleted after each round; consumers (pollers) paused.",
        "",
    ]
    for engine, result in found.items():
        out += [f"### {engine}", "", *_error(result)]
        if "error" in result:
            continue
        ways = result["ways"]
        out += _table(["way", "median (p99; p10-p90; n)"], [[w, cell(s)] for w, s in ways.items()])
        ratios = result["ratios"]
        out += _table(
            ["ratio", "of medians", "of p99s"],
            [[name.replace("_over_", " / "), r["median"], r["p99"]] for name, r in ratios.items()],
        )
        goal = result["goal"]
        out += [
            f"Goal handlers / raw < {goal['handlers_over_raw_max']}: "
            f"**{'met' if goal['met'] else 'missed'}** ({fmt(goal['handlers_over_raw'], 2)}). "
            f"Table held {result['table_items_during_rounds']} items during the rounds.",
            "",
        ]
        breakdown = result["http_breakdown"]
        out += [
            f"Where one POST /v1/orders goes (mean of {breakdown['rounds']}, {fmt(breakdown['mean_total_ms'])} ms):",
            "",
        ]
        out += _table(
            ["part", "ms", "share"],
            [[p["part"], p["ms"], f"{p['share'] * 100:.0f}%"] for p in breakdown["parts"]],
        )
        out += [f"Method: {breakdown['method']}", ""]
        handlers = result["handlers_breakdown"]
        calls = handlers["by_aws_call"]
        out += [f"The handlers way by AWS call (mean wall {fmt(calls['mean_wall_ms'])} ms):", ""]
        out += _table(
            ["call", "ms per order"],
            [
                *[[k, v] for k, v in calls["calls_ms"].items()],
                ["Python outside AWS calls", calls["python_outside_calls_ms"]],
            ],
        )
        profile = handlers["profile"]
        out += [f"The handlers way by library (pyinstrument, {profile['interval_ms']} ms interval):", ""]
        out += _table(
            ["category", "share", "ms at unprofiled mean"],
            [
                [c["category"], f"{c['share'] * 100:.1f}%", c["ms_at_unprofiled_mean"]]
                for c in profile["categories"]
            ],
        )
        what_if = result["what_if_eventbridge_parser_cached"]
        out += [
            "What if moto's EventBridge kept its JSONPath parser (benchmark-only patch, "
            f"{what_if['rounds']} rounds): handlers {cell(what_if['ways']['handlers'])}, raw "
            f"{cell(what_if['ways']['raw'])}, handlers / raw {fmt(what_if['ratios']['handlers_over_raw']['median'], 2)}.",
            "",
        ]
    return out


def _throughput(found: dict[str, Any]) -> list[str]:
    if not found:
        return []
    out = [
        "## 2. Throughput and contention over HTTP, before and after the worker runtime",
        "",
        "in-process = as before the change: every handler in the stack's own process, API functions one at "
        "a time (one lock); workers = as the local stack runs now: each function in worker processes of "
        "its own holding the built artefact, reaching the emulated AWS over HTTP. The two take turns cell by "
        "cell, their order flipped each repetition; orders/s is the median over the repetitions. Clients "
        "are threads with a kept-alive connection each; hot = one SKU with stock for 90% of the orders, "
        "many = orders spread over many SKUs. Audit from a Scan of the table after each cell; a tenth of "
        "the requests are replayed with their Idempotency-Key; oversold, lost and duplicated are summed "
        "over the repetitions and must all be 0. Consumers paused.",
        "",
    ]
    for engine, result in found.items():
        out += [f"### {engine}", "", *_error(result)]
        if "error" in result:
            continue
        out += _throughput_summary(result["summary"])
        warm = result.get("warm_up") or {}
        if warm.get("cold_start_ms"):
            out += [
                f"Warm-up (untimed, {warm['clients']} clients at once; one environment of a function starts "
                f"at a time): {warm['environments']} environments running after it; cold starts, "
                "median ms: "
                + ", ".join(
                    f"{n} {v['median']:.0f} (x{v['count']})" for n, v in warm["cold_start_ms"].items()
                )
                + f"; answers {', '.join(f'{k}: {v}' for k, v in warm['statuses'].items())}, client retries "
                f"{_retries(warm)}; oversold/lost/duplicated {_audit_text(warm['audit'])}.",
                "",
            ]
        out += ["Every cell:", ""]
        out += _throughput_cells(result["cells"])
    return out


# What every throughput cell must find at 0 (the first three are shown; any other that is not 0 is named).
MUST_BE_ZERO = (
    "oversold_units",
    "lost_orders",
    "duplicated_orders",
    "answers_naming_another_order",
    "reservation_mismatch_units",
    "replays_answered_differently",
)


def _audit_text(audit: dict[str, int]) -> str:
    shown = "/".join(str(audit[key]) for key in MUST_BE_ZERO[:3])
    wrong = [f"{key} {audit[key]}" for key in MUST_BE_ZERO if audit.get(key)]
    return shown + (f" **({', '.join(wrong)})**" if wrong else "")


def _throughput_summary(rows: list[dict[str, Any]]) -> list[str]:
    table = []
    for row in rows:
        before, after = row.get("in_process"), row.get("workers")
        table.append(
            [
                row["sku_mode"],
                row["clients"],
                f"{before['orders_per_second']:.1f}" if before else "-",
                _audit_text(before["audit"]) if before else "-",
                f"{after['orders_per_second']:.1f}" if after else "-",
                _audit_text(after["audit"]) if after else "-",
                f"{row['workers_over_in_process']:.2f}" if "workers_over_in_process" in row else "-",
                f"{fmt(before['latency_median_ms'], 0)} / {fmt(after['latency_median_ms'], 0)}"
                if before and after
                else "-",
            ]
        )
    return _table(
        [
            "SKUs",
            "clients",
            "in-process orders/s",
            "oversold/lost/duplicated",
            "workers orders/s",
            "oversold/lost/duplicated",
            "workers / in-process",
            "median latency ms (in-process / workers)",
        ],
        table,
    )


def _throughput_cells(cells: list[dict[str, Any]]) -> list[str]:
    rows = []
    for c in cells:
        audit = c["audit"]
        rows.append(
            [
                c["mode"].replace("_", "-"),
                c["repetition"] + 1,
                c["sku_mode"],
                c["clients"],
                c["orders_sent"],
                f"{c['orders_per_second']:.1f}",
                cell(c["latency"], 0),
                ", ".join(f"{k}: {v}" for k, v in c["statuses"].items()),
                audit["oversold_units"],
                audit["lost_orders"],
                audit["duplicated_orders"],
                audit["answers_naming_another_order"],
                audit["reservation_mismatch_units"],
                f"{audit['replays_answered_differently']}/{audit['replays']}",
                _retries(c),
            ]
        )
    return _table(
        [
            "mode",
            "run",
            "SKUs",
            "clients",
            "orders",
            "orders/s",
            "latency ms",
            "answers",
            "oversold",
            "lost",
            "duplicated",
            "201 naming another order",
            "reserved mismatch",
            "replays differing",
            "client retries",
        ],
        rows,
    )


def _retries(c: dict[str, Any]) -> str:
    parts = []
    if c["retried_connection_errors"]:
        parts.append(f"{c['retried_connection_errors']} connection")
    if c["retried_key_in_use"]:
        parts.append(f"{c['retried_key_in_use']} key in use")
    parts += [f"{n} x {code}" for code, n in c.get("retried_server_errors", {}).items()]
    return ", ".join(parts) or "0"


def _jobs(found: dict[str, Any]) -> list[str]:
    if not found:
        return []
    out = [
        "## 3. Scheduled jobs against stored orders",
        "",
        "Stored orders written straight as items; each repetition puts the same due orders back and runs "
        "each job once. The jobs publish an event per order moved (moto's EventBridge).",
        "",
    ]
    for engine, result in found.items():
        out += [f"### {engine}", "", *_error(result)]
        if "error" in result:
            continue
        rows = []
        for size in result["sizes"]:
            rows.append(
                [
                    size["stored_orders"],
                    size["due_per_job"],
                    cell(size["jobs"]["release_unpaid"], 0),
                    cell(size["jobs"]["auto_confirm"], 0),
                    cell(size["index_reads_only"]),
                    "yes" if size["moved_exactly_the_due"] else "NO",
                    f"{fmt(size['seed_seconds'])} s",
                ]
            )
        out += _table(
            [
                "stored orders",
                "due per job",
                "release-unpaid ms",
                "auto-confirm ms",
                "index reads only ms",
                "moved exactly the due",
                "seeding",
            ],
            rows,
        )
        ratios = result["ratios_largest_over_smallest"]
        out += [
            "Largest / smallest: " + ", ".join(f"{k} {fmt(v, 2)}" for k, v in ratios.items()),
            "",
        ]
        for size in result["sizes"]:
            parts = []
            for job, calls in size["calls_per_run"].items():
                parts.append(
                    job
                    + ": "
                    + ", ".join(f"{op} x{c['count']:.0f} {c['ms']:.0f} ms" for op, c in calls.items())
                )
            out += [f"- {size['stored_orders']} stored, per run: " + "; ".join(parts)]
        out += [""]
    return out


def _cold_start(found: Any) -> list[str]:
    if not found:
        return []
    out = ["## 4. Cold start from the built artefact (clean interpreter per load)", "", *_error(found)]
    if "error" in found:
        return out
    out += [
        f"Each handler imported as Lambda imports it: {found['interpreter']}; {found['environment']}. "
        f"boto3 from {found.get('artefact', {}).get('boto3_from', 'the layer')}, for the baseline (a handler "
        "that imports boto3 only) too. Import ms and peak RSS: median of "
        f"{found['repetitions']} interleaved runs; CPU ms (the process's CPU time during the import) is what a "
        "busy machine disturbs least. The modules are compiled (the `.pyc` a first run wrote, as a layer "
        'shipping bytecode would have them); "from source" compiles the artefact\'s modules at every start, '
        "as Lambda does with today's layer (no Python 3.12 bytecode, and /opt is read-only; "
        "docs/deploy.md), the standard library's staying compiled. Deferred: the same import with the modules our code "
        "imports but init never runs loaded lazily (`importlib.util.LazyLoader`), i.e. what lazy imports "
        "in `shared/oms` would give; those modules then load on the first invocation that uses them. "
        "GC ms: the garbage collector's part of the import (`gc.callbacks`), with the collections of each "
        "generation (young/middle/full); `shared/oms` raises the young threshold (`oms/__init__.py`), the "
        "baseline and the floors keep Python's default. Python 3.12 (where the machine has it): every "
        "handler loaded in the same passes by the runtime's own Python version, from the same build for "
        "that version (`python -m oms_build --platform runtime`), compiled.",
        "",
    ]
    summary = found.get("summary") or {}
    floors = summary.get("floors") or {}
    if floors:
        out += [
            "The floors are handlers with the libraries the product card fixes and no service code (a worker: "
            "boto3, one pydantic model, powertools' Logger; an API function: the same and powertools' HTTP "
            "resolver with request validation and one validated route), loaded the same way in the same passes: "
            + "; ".join(
                f"{name} {f['import_ratio_to_baseline']:.2f}x the baseline on the clock, "
                f"{f['import_cpu_ratio_to_baseline']:.2f}x in CPU time"
                + (
                    f" ({f['runtime_import_cpu_ratio_to_baseline']:.2f}x under Python {found['runtime_python']})"
                    if "runtime_import_cpu_ratio_to_baseline" in f
                    else ""
                )
                for name, f in floors.items()
            )
            + f". What they cost is out of the service's hands: a goal of {summary['goal_ratio']:.1f}x the baseline "
            'leaves the service\'s own code what is left over the floor. "x floor" is each function over its '
            "own floor (an API function's or a worker's): what the service's code adds.",
            "",
        ]
    for label, key in (
        ("Over its floor (what the service's code adds), on the clock", "over_floor"),
        ("Over its floor, in CPU time", "over_floor_cpu"),
        ("As built, on the clock", "as_built"),
        ("As built, in CPU time", "as_built_cpu"),
        ("Compiling from source as deployed (no bytecode in the layer), in CPU time", "from_source_cpu"),
        ("With the unneeded imports deferred, on the clock", "deferred"),
        ("With the unneeded imports deferred, in CPU time", "deferred_cpu"),
        (f"Under the runtime's Python ({found.get('runtime_python')}), in CPU time", "runtime_cpu"),
        (
            f"Over its floor under the runtime's Python ({found.get('runtime_python')}), in CPU time",
            "runtime_over_floor_cpu",
        ),
    ):
        spread = summary.get(key)
        if spread:
            out += [
                f"- {label}: import {spread['min']:.2f}-{spread['max']:.2f}x {'its floor' if 'floor' in key else 'the baseline'}'s (median "
                f"{spread['median']:.2f}x); {spread['within_goal']} of {spread['functions']} functions within "
                f"the goal of {spread.get('goal', summary['goal_ratio']):.2f}x."
            ]
    if summary and not found.get("runtime_python"):
        out += ["- No Python 3.12 on this machine: the handlers were loaded by the interpreter above only."]
    out += [""] if summary else []
    rows = []
    for name, row in found["functions"].items():
        packages = ", ".join(f"{p['package']} {p['self_ms']:.0f}" for p in row["import_time_by_package"][:4])
        extra = ", ".join(
            f"{p['package']} {p['self_ms']:.0f}" for p in row.get("import_time_beyond_baseline", [])[:5]
        )
        deferred = row.get("import_deferred")
        rows.append(
            [
                f"{name}{' (API)' if row.get('api') else ''}",
                cell(row["import"], 0),
                f"{row['import_ratio_to_baseline']:.2f}",
                f"{row['import_ratio_to_floor']:.2f}" if "import_ratio_to_floor" in row else "-",
                f"{fmt(row['import_cpu']['median'], 0)}",
                f"{row['import_cpu_ratio_to_baseline']:.2f}",
                f"{fmt(row['gc']['median'], 0)} ({'/'.join(str(n) for n in row['gc_collections'])})"
                if "gc" in row
                else "-",
                f"{fmt(row['import_cpu_from_source']['median'], 0)}",
                f"{row['import_cpu_from_source_ratio_to_baseline']:.2f}",
                f"{fmt(row['runtime_import_cpu']['median'], 0)} ({row['runtime_import_cpu_ratio_to_baseline']:.2f}x"
                + (
                    f", {row['runtime_import_cpu_ratio_to_floor']:.2f}x floor)"
                    if "runtime_import_cpu_ratio_to_floor" in row
                    else ")"
                )
                if "runtime_import_cpu_ratio_to_baseline" in row
                else "-",
                cell(row["peak_rss_mib"]),
                f"{row['rss_ratio_to_baseline']:.2f}",
                row["modules_loaded"],
                f"{fmt(deferred['median'], 0)} ({row['import_deferred_ratio_to_baseline']:.2f}x); CPU "
                f"{fmt(row['import_cpu_deferred']['median'], 0)} ({row['import_cpu_deferred_ratio_to_baseline']:.2f}x)"
                if deferred
                else "-",
                packages,
                extra or "-",
            ]
        )
    out += _table(
        [
            "function",
            "import ms",
            "x baseline",
            "x floor",
            "CPU ms",
            "x baseline",
            "GC ms (collections by generation)",
            "from source: CPU ms",
            "x baseline",
            f"Python {found.get('runtime_python') or '3.12'}: CPU ms (x baseline, x floor)",
            "peak RSS MiB",
            "x baseline",
            "modules",
            "deferred: ms (x baseline); CPU ms (x baseline)",
            "import self-ms by package (-X importtime)",
            "self-ms beyond the baseline's, by package",
        ],
        rows,
    )
    out += _lazy_candidates(found.get("lazy_import_candidates", []))
    out += _snapstart(found.get("snapstart") or {})
    if found.get("skipped"):
        out += [f"Skipped (failed to start): {', '.join(found['skipped'])}.", ""]
    return out


def _lazy_candidates(candidates: list[dict[str, Any]]) -> list[str]:
    if not candidates:
        return []
    out = [
        "### Imports a handler does not need at cold start",
        "",
        "Modules `shared/oms` imports at module level that init never runs (found by deferring them), "
        "for whoever makes those imports lazy: ms = `-X importtime` self time of what then stayed out of "
        "the cold start, scaled to the untraced import time (importtime's own overhead removed), median "
        "and max over the functions listed; a module pulled in that another import needs anyway is not "
        "counted. The first invocation that uses the module pays for it instead.",
        "",
    ]
    out += _table(
        ["module", "imported by", "ms kept out (median, max)", "functions"],
        [
            [
                f"`{c['module']}`",
                ", ".join(f"`{i}`" for i in c["imported_by"]),
                f"{fmt(c['median_ms'])}, {fmt(c['max_ms'])}",
                f"{len(c['functions'])}: {', '.join(c['functions'])}",
            ]
            for c in candidates
            if c["max_ms"] >= 1.0
        ],
    )
    return out


def _snapstart(found: dict[str, Any]) -> list[str]:
    if not found:
        return []
    out = ["### SnapStart on the API functions", "", found["verdict"], ""]
    out += _table(
        [
            "API function",
            "init here, CPU ms from source",
            f"init at {found['memory_mb']} MB ms (estimate)",
            "saved by a restore ms",
        ],
        [
            [
                name,
                f"{f['init_local_ms']:.0f}",
                f"{f['init_at_memory_ms_estimate']:.0f}",
                "-".join(f"{v:.0f}" for v in f["saved_ms_per_cold_start"]),
            ]
            for name, f in found["functions"].items()
        ],
    )
    out += ["Sources: " + ", ".join(found["sources"]) + ".", ""]
    return out


def _memory(found: dict[str, Any]) -> list[str]:
    if not found:
        return []
    out = [
        "## 5. Memory of the local stack as orders pile up (fresh process)",
        "",
        "Each figure: the local stack as it is, through the stretches to 10,000 orders within a time budget, "
        "and moto as shipped (`--as-shipped all`: without the patches of `oms_local.moto_patches` that keep "
        "the cost per order flat) over the first stretches. CPU ms is the probe process's CPU time (pollers "
        "included), steadier than wall time on a busy machine. By hand: see `tests/bench/memory.py`.",
        "",
    ]
    for label, result in found.items():
        out += [f"### {label}", "", *_error(result)]
        if "error" in result:
            continue
        out += _memory_run(result)
        shipped = result.get("moto_as_shipped")
        if shipped:
            out += ["Moto as shipped, same probe:", "", *_memory_run(shipped)]
        if result.get("comparison"):
            out += ["Side by side, per stretch (as shipped / now):", ""]
            out += _table(
                [
                    "orders",
                    "RSS MiB per 1,000 orders",
                    "CPU ms per order",
                    "wall ms per order",
                    "threads per order",
                ],
                [
                    [
                        f"{pair['from']:,}-{pair['to']:,}",
                        *(
                            f"{fmt(pair[key]['as_shipped'], digits)} / {fmt(pair[key]['patched'], digits)}"
                            for key, digits in (
                                ("rss_mib_per_1000_orders", 0),
                                ("cpu_ms_per_order", 1),
                                ("ms_per_order", 1),
                                ("threads_per_order", 2),
                            )
                        ),
                    ]
                    for pair in result["comparison"]
                ],
            )
    return out


def _memory_run(result: dict[str, Any]) -> list[str]:
    out = [
        f"Engine {result['engine']}; placed through {result['placed_through']}"
        + (f"; moto as shipped ({', '.join(result['as_shipped'])})" if result.get("as_shipped") else "")
        + ("; stopped at the time budget" if result.get("stopped_early") else "")
        + ".",
        "",
    ]
    out += _table(
        [
            "orders",
            "RSS MiB",
            "threads",
            "running executions",
            "table items",
            "wall ms per order (stretch)",
            "CPU ms per order (stretch)",
            "load (1 min)",
            "elapsed s",
        ],
        [
            [
                s["orders"],
                s["rss_mib"],
                s["threads"],
                s["running_executions"],
                s["table_items"],
                s["ms_per_order_recently"],
                s.get("cpu_ms_per_order_recently"),
                s.get("loadavg_1min"),
                s["elapsed_seconds"],
            ]
            for s in result["snapshots"]
        ],
    )
    projection = result["projection"]
    out += [
        f"Growth {fmt(result['growth_mib_per_1000_orders'])} MiB per 1,000 orders overall, "
        f"{fmt(result['late_growth_mib_per_1000_orders'])} over the last stretch; "
        f"{fmt(result['threads_per_order'], 2)} threads per order.",
        f"At {projection['target_orders']:,} orders ({'extrapolated' if projection['extrapolated'] else 'measured'}): "
        f"RSS about {fmt(projection['rss_mib'], 0)} MiB, {projection['threads']:,} threads"
        + (
            f", about {fmt(projection['cpu_ms_per_order_at_target'], 0)} CPU ms per order"
            if "cpu_ms_per_order_at_target" in projection
            else ""
        )
        + f". Method: {projection['method']}.",
        "",
    ]
    return out


def _hot_sku(found: Any) -> list[str]:
    if not found:
        return []
    out = ["## 6. Hot SKU: capacity in AWS (arithmetic), and what sharded stock counters cost (measured)", ""]
    out += _error(found)
    if "error" in found:
        return out
    out += [f"- {line}" for line in found["arithmetic"]]
    out += ["", found["caveat"], ""]
    for engine in found.get("engines", []):
        result = found.get(engine)
        if not result:
            continue
        out += [f"### {engine}", "", *_error(result)]
        if "error" in result:
            continue
        out += [
            f"validate-order then reserve-stock in-process, orders of one unit of one SKU; the settings take "
            f"turns order by order. Steady: {result['orders']} orders per setting, stock on every shard.",
            "",
        ]
        steady = result["steady"]
        out += _table(
            ["STOCK_SHARDS", "ms per order", "over 1 shard (median, p99)", "items read", "transactions"],
            [
                [
                    n,
                    cell(r["latency"]),
                    f"{fmt(ratio(r['latency'], steady['1']['latency']), 2)}, "
                    f"{fmt(ratio(r['latency'], steady['1']['latency'], 'p99'), 2)}",
                    r["per_order"]["items_read"],
                    r["per_order"]["transactions"],
                ]
                for n, r in steady.items()
            ],
        )
        out += [
            f"Selling out: {result['sellout_units']} units, {result['sellout_units'] + 1} orders (the last "
            "refused); a line whose shard ran dry re-reads and takes from another.",
            "",
        ]
        out += _table(
            ["STOCK_SHARDS", "ms per order", "placed", "refused", "BatchGetItem", "transactions", "oversold"],
            [
                [
                    n,
                    cell(r["latency"]),
                    r["placed"],
                    r["refused"],
                    r["per_order"]["batch_gets"],
                    r["per_order"]["transactions"],
                    r["audit"]["oversold_units"],
                ]
                for n, r in result["selling_out"].items()
            ],
        )
        out += [
            f"Contention: {result['clients']} clients at once on one SKU with plenty of stock, {result['orders']} "
            "orders per setting in two halves (1-4-16, then 16-4-1); moto serializes every call, DynamoDB Local "
            "refuses concurrent transactions on one item (TransactionConflict, retried with backoff). busy = "
            "still conflicting after the store's retries (the place-order workflow retries those).",
            "",
        ]
        out += _table(
            [
                "STOCK_SHARDS",
                "orders/s",
                "ms per order",
                "placed",
                "transactions",
                "transient retries",
                "busy",
                "reserved = orders",
            ],
            [
                [
                    n,
                    r["orders_per_second"],
                    cell(r["latency"]),
                    r["placed"],
                    r["per_order"]["transactions"],
                    r["per_order"]["transient_retries"],
                    r["busy"],
                    "yes" if r["audit"]["reserved_matches_orders"] else "**no**",
                ]
                for n, r in result["contention"].items()
            ],
        )
    return out


def _cost(found: dict[str, Any]) -> list[str]:
    if not found:
        return []
    out = ["## 7. AWS cost per 1,000 orders (see infrastructure/cost-model.md)", ""]
    for engine, result in found.items():
        out += _error(result)
        if "error" in result:
            continue
        out += [
            f"Counted over {result['orders']} orders placed over HTTP on {engine}, consumers running until idle, "
            "the functions run in the stack's process so that the calls inside them are counted.",
            "",
        ]
        out += _table(["call per order", "count"], [[k, v] for k, v in result["calls_per_order"].items()])
        out += _table(
            ["function", "invocations per order", "mean ms locally"],
            [[fn, n, result["handler_ms"][fn]] for fn, n in result["invocations_per_order"].items()],
        )
        out += _table(
            ["DynamoDB request", "WRU per order", "RRU per order"],
            [[k, v["write"], v["read"]] for k, v in result["dynamodb_units_by_operation"].items()],
        )
        per_order = result["per_order"]
        out += _table(["per order", "value"], [[k, v] for k, v in per_order.items()])
        thousand = result["per_1000_orders_usd"]
        out += _table(
            ["per 1,000 orders", "USD"],
            [
                *[[k, f"{v:.4f}"] for k, v in thousand["lines"].items()],
                ["**total at the listed prices**", f"**{thousand['total_listed_prices']:.4f}**"],
                *[[k, f"{v:.4f}"] for k, v in thousand["extras"].items()],
                ["**total with the extras**", f"**{thousand['total_with_extras']:.4f}**"],
            ],
        )
        out += [f"SMS per 1,000 orders: {thousand['sms_per_1000_orders']:.0f}. {thousand['note']}", ""]
    return out


def _webhooks(found: dict[str, Any]) -> list[str]:
    if not found:
        return []
    out = ["## 8. Outbound webhooks", ""]
    for engine, result in found.items():
        if "error" in result:
            out += [f"{engine}:", *_error(result), ""]
            continue
        out += [
            f"Latency from the event to the subscriber, local stack on {engine} with worker processes "
            "(orders placed one at a time; bus, fan-out, send queue, one sender invocation):",
            "",
        ]
        out += _table(
            ["subscribers", "orders", "received / expected", "latency ms"],
            [
                [r["subscribers"], r["orders"], f"{r['received']} / {r['expected']}", cell(r["latency"])]
                for r in result["latency"]
            ],
        )
        sender = result["sender"]
        out += [
            "",
            f"One sender, one delivery after another (claim, signed POST on loopback, record): "
            f"**{sender['per_second']:.0f} deliveries/s** over {sender['deliveries']} "
            f"(each {cell(sender['each'])}); received {sender['received']}.",
            "",
        ]
    return out
