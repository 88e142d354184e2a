"""``python -m oms_local`` (``make run``): the whole service on this machine, from ``template.yaml``.

Environment: ``OMS_HOST``/``OMS_PORT`` (127.0.0.1:3000), ``OMS_DYNAMODB`` (``moto`` or ``local`` for
DynamoDB Local), ``OMS_SCHEDULER`` (``off`` stops automatic schedules), ``OMS_DEMO`` (``off`` skips the demo
catalogue), ``LOCAL_JWT_SECRET``, ``PAYMENT_WEBHOOK_SECRET``, ``CARRIER_WEBHOOK_SECRET``.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from types import FrameType

from oms_local import demo
from oms_local.stack import LocalStack

# Not "oms_local": powertools' Logger(service="oms") filters every record whose logger name contains "oms"
# out of the root handlers, so the local stack logs under another name.
log = logging.getLogger("local_stack")


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("local_stack").setLevel(os.environ.get("OMS_LOG_LEVEL", "INFO").upper())


def main() -> int:
    _configure_logging()
    started = time.monotonic()
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack = LocalStack()
    try:
        stack.start()
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s (set OMS_PORT to another port)", stack.host, stack.port, exc)
        return 1
    try:
        engine = "DynamoDB Local" if stack.engine == "local" else "moto"
        schedules = (
            "automatic" if stack.automatic_schedules else "on request (POST /_local/schedules/{name}/run)"
        )
        log.info(
            "serving in %.0f ms (DynamoDB: %s, schedules: %s)",
            (time.monotonic() - started) * 1000,
            engine,
            schedules,
        )
        if os.environ.get("OMS_DEMO", "on").strip().lower() not in ("off", "0", "false", "no"):
            counts = demo.load(stack.url, stack.jwt)
            log.info(
                "demo catalogue: %d products, %d stock entries, %d coupons (ready in %.0f ms)",
                counts["products"],
                counts["stock"],
                counts["coupons"],
                (time.monotonic() - started) * 1000,
            )
        print(f"OMS local stack on {stack.url}  (Ctrl-C stops it)", flush=True)
        print(
            'Token: TOKEN=$(make -s token ARGS="--admin")  then  curl -H "Authorization: Bearer $TOKEN" '
            f"{stack.url}/v1/admin/inventory/TEA-250",
            flush=True,
        )
        stop.wait()
        log.info("stopping")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
