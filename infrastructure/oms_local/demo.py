"""The demo catalogue (``demo_catalogue.json``), loaded through the real admin routes of the running stack.

Going through the API rather than the store means the demo data is exactly what a back-office user could
have entered. A route not written yet (404/405/501) is skipped with one warning, not fatal.
"""

from __future__ import annotations

import http.client
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from oms import clock

from oms_local.auth import JwtSettings, mint

log = logging.getLogger("local_stack.demo")

CATALOGUE_PATH = Path(__file__).with_name("demo_catalogue.json")
_SKIPPABLE = (404, 405, 501)


def _product_body(product: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in product.items() if k not in ("sku", "presale_ships_in_days")}
    if "presale_ships_in_days" in product:
        ships = clock.now() + timedelta(days=int(product["presale_ships_in_days"]))
        body["presale_ships_at"] = clock.iso(ships)
    return body


def load(base_url: str, jwt: JwtSettings, path: Path = CATALOGUE_PATH) -> dict[str, int]:
    """PUT the products and coupons, POST the stock; answers how many of each were accepted."""
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    token = mint(jwt, "adm_demo", admin=True)
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=30)
    skipped: set[str] = set()
    counts = {"products": 0, "stock": 0, "coupons": 0}

    def send(kind: str, method: str, route: str, body: dict[str, Any]) -> None:
        if kind in skipped:
            return
        payload = json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request(method, route, body=payload, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status < 300:
            counts[kind] += 1
        elif response.status in _SKIPPABLE:
            skipped.add(kind)
            log.warning("demo %s skipped: %s %s answered %d", kind, method, route, response.status)
        else:
            log.warning("demo %s: %s %s answered %d: %s", kind, method, route, response.status, answer[:300])

    try:
        for product in catalogue.get("products", []):
            send("products", "PUT", f"/v1/admin/products/{quote(product['sku'])}", _product_body(product))
        for entry in catalogue.get("stock", []):
            body = {"delta": entry["delta"], "reason": entry.get("reason", "received")}
            if entry.get("channel"):
                body["channel"] = entry["channel"]
            send("stock", "POST", f"/v1/admin/inventory/{quote(entry['sku'])}/adjustments", body)
        for coupon in catalogue.get("coupons", []):
            body = {k: v for k, v in coupon.items() if k != "code"}
            send("coupons", "PUT", f"/v1/admin/coupons/{quote(coupon['code'])}", body)
    finally:
        connection.close()
    return counts
