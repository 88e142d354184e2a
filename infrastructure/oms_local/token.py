"""Print a token the local gateway accepts: ``python -m oms_local.token [--admin] [--sub ID] [--ttl SECONDS]``.

curl -H "Authorization: Bearer $(make -s token ARGS=--admin)" http://127.0.0.1:3000/v1/admin/inventory/TEA-250
"""

from __future__ import annotations

import argparse
import sys

from oms_local import template
from oms_local.auth import DEFAULT_ADMIN, DEFAULT_CUSTOMER, DEFAULT_TTL_SECONDS, JwtSettings, mint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oms_local.token", description=__doc__.split("\n")[0])
    parser.add_argument("--admin", action="store_true", help="a back-office token (cognito:groups [admin])")
    parser.add_argument(
        "--sub", help=f"the subject (default {DEFAULT_CUSTOMER}, or {DEFAULT_ADMIN} with --admin)"
    )
    parser.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="seconds until it expires")
    args = parser.parse_args(argv)
    settings = JwtSettings.from_template(template.load())
    subject = args.sub or (DEFAULT_ADMIN if args.admin else DEFAULT_CUSTOMER)
    sys.stdout.write(mint(settings, subject, admin=args.admin, ttl_seconds=args.ttl) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
