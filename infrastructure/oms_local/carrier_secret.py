"""``python -m oms_local.carrier_secret sf``: the secret to give carrier ``sf`` for its webhooks.

Each carrier signs with its own secret, derived from the configured carrier webhook secret
(``CARRIER_WEBHOOK_SECRET``, read from the environment or standard input), so one carrier's secret cannot
sign for another (docs/deploy.md "Secrets").
"""

from __future__ import annotations

import argparse
import os
import sys

from oms.domain.carriers import CARRIER_CODES
from oms.secrets import carrier_secret


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oms_local.carrier_secret", description=__doc__)
    parser.add_argument("carrier", choices=sorted(CARRIER_CODES))
    args = parser.parse_args(argv)
    configured = os.environ.get("CARRIER_WEBHOOK_SECRET") or sys.stdin.readline().strip()
    if not configured:
        parser.error("set CARRIER_WEBHOOK_SECRET or pass it on standard input")
    print(carrier_secret(configured.split(",")[0].strip(), args.carrier))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
