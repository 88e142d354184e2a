"""``python -m tests.bench``: run the benchmarks and write tests/bench/results/ (Markdown and JSON).

``--quick`` is a smoke test (seconds, moto only); ``--scale`` or ``BENCH_SCALE`` multiplies the sample
counts of a full run (0.5 halves it); ``--only`` picks figures (the others are kept from the last report,
named as such, unless ``--fresh``); ``--engines`` picks DynamoDB engines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from tests.bench import harness, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sample counts: a smoke test")
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE") or 1.0),
        help="multiply sample counts (default BENCH_SCALE or 1)",
    )
    parser.add_argument("--engines", help="comma-separated: moto,local (default both when Java is present)")
    parser.add_argument("--only", help=f"comma-separated figures among {', '.join(harness.FIGURES)}")
    parser.add_argument("--out", type=Path, default=report.RESULTS, help="where to write the report")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="with --only: write only the figures measured (by default the others are kept from the last report)",
    )
    args = parser.parse_args(argv)
    figures = [f.strip() for f in args.only.split(",")] if args.only else None
    unknown = set(figures or []) - set(harness.FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")
    engines = [e.strip() for e in args.engines.split(",")] if args.engines else None
    # The documented local JWT secret is short on purpose; it guards nothing real.
    warnings.filterwarnings("ignore", message=".*HMAC key.*")
    config = harness.Config.build(quick=args.quick, scale=args.scale, engines=engines, figures=figures)
    found = harness.run(config)
    stem = "quick-latest" if args.quick else "latest"
    previous = args.out / f"{stem}.json"
    if figures and not args.fresh and previous.is_file():
        report.carry_forward(found, json.loads(previous.read_text(encoding="utf-8")))
    for path in report.write(found, args.out, stem=stem, dated=not args.quick):
        print(f"wrote {path}")
    failed = _failures(found["figures"])
    if failed:
        print(f"figures that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _failures(figures: dict[str, Any]) -> list[str]:
    failed = []
    for name, result in figures.items():
        if isinstance(result, dict) and "error" in result:
            failed.append(name)
        elif isinstance(result, dict):
            failed += [
                f"{name} ({key})"
                for key, value in result.items()
                if isinstance(value, dict) and "error" in value
            ]
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
