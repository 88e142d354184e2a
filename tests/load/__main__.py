"""``python -m tests.load``: a bounded load run against the local stack on loopback (see run.py).

Starts the local stack (moto unless ``--engine local``), runs buyers, payments, shippers and carriers for
``--seconds`` (default 60) or ``--max-orders``, audits the table, prints the report and writes
tests/load/results/latest.md and latest.json. ``--faults 0.2`` sets ``OMS_FAULTS`` for the stack (a share
of DynamoDB calls fail). Exits 1 when anything was lost, oversold or answered 5xx.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import warnings
from pathlib import Path

from tests.load import report
from tests.load.run import Config, run


def main(argv: list[str] | None = None) -> int:
    defaults = Config()
    parser = argparse.ArgumentParser(prog="python -m tests.load", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=defaults.seconds, help="how long buyers buy")
    parser.add_argument(
        "--max-orders", type=int, default=defaults.max_orders, help="at most this many orders"
    )
    parser.add_argument("--buyers", type=int, default=defaults.buyers, help="buyer threads")
    parser.add_argument("--shippers", type=int, default=defaults.shippers, help="staff and carrier threads")
    parser.add_argument("--hot-skus", type=int, default=defaults.hot_skus)
    parser.add_argument("--hot-stock", type=int, default=defaults.hot_stock)
    parser.add_argument("--cold-skus", type=int, default=defaults.cold_skus)
    parser.add_argument("--engine", choices=("moto", "local"), default=defaults.engine)
    parser.add_argument("--faults", type=float, help="a share of DynamoDB calls that fail (OMS_FAULTS)")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=Path, default=report.RESULTS)
    args = parser.parse_args(argv)
    if args.faults is not None:
        if not 0 <= args.faults <= 1:
            parser.error("--faults is a share between 0 and 1")
        os.environ["OMS_FAULTS"] = str(args.faults)
    config = Config(
        seconds=args.seconds,
        max_orders=args.max_orders,
        buyers=args.buyers,
        shippers=args.shippers,
        hot_skus=args.hot_skus,
        hot_stock=args.hot_stock,
        cold_skus=args.cold_skus,
        seed=args.seed,
        engine=args.engine,
        faults=args.faults,
    )
    # The documented local JWT secret is short on purpose; it guards nothing real.
    warnings.filterwarnings("ignore", message=".*HMAC key.*")
    logging.disable(logging.WARNING)  # the handlers log every request; the report is what matters here
    from oms_local.testing import Worlds

    worlds = Worlds()
    # The handlers print a metrics line per request on stdout; the report is what this run prints.
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        try:
            found = run(worlds.get(args.engine), config)
        finally:
            worlds.close()
    path = report.write(found, args.out)
    sys.stdout.write(report.markdown(found))
    sys.stdout.write(f"\nwritten to {path} (and latest.json)\n")
    return 0 if found["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
