"""The carriers the platform ships and takes returns with: their codes and the names buyers read.

A carrier is one of these codes everywhere (shipments, return parcels, reships, the carrier webhook's
path), so a tracking number is always a known carrier's and a typo cannot open a new namespace.
"""

from __future__ import annotations

from typing import Literal, get_args

CarrierCode = Literal["sf", "jd", "ems", "zto", "yto", "sto", "yunda"]
CARRIER_CODES: frozenset[str] = frozenset(get_args(CarrierCode))

NAMES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "sf": "顺丰速运",
        "jd": "京东物流",
        "ems": "中国邮政 EMS",
        "zto": "中通快递",
        "yto": "圆通速递",
        "sto": "申通快递",
        "yunda": "韵达快递",
    },
    "en": {
        "sf": "SF Express",
        "jd": "JD Logistics",
        "ems": "China Post EMS",
        "zto": "ZTO Express",
        "yto": "YTO Express",
        "sto": "STO Express",
        "yunda": "Yunda Express",
    },
}


def display_name(code: str, locale: str) -> str:
    return NAMES.get(locale, NAMES["en"]).get(code, code.upper())
