"""A shipping address is complete when a carrier can deliver to it."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from oms.problems import FieldError

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")
_POSTAL = {"CN": re.compile(r"^[0-9]{6}$"), "US": re.compile(r"^[0-9]{5}(-[0-9]{4})?$")}
REQUIRED = ("recipient", "phone", "line1", "city", "region", "postal_code", "country")


class Address(BaseModel):
    """Fields may arrive empty: the check below names every missing one, so the shopper fixes all at once."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    recipient: str = Field("", max_length=100)
    phone: str = Field("", max_length=32)
    line1: str = Field("", max_length=200)
    line2: str | None = Field(None, max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=16)
    country: str = Field("", max_length=2)


def address_problems(address: Address, prefix: str = "shipping_address") -> list[FieldError]:
    problems = [
        FieldError(f"{prefix}.{name}", "is required to deliver the parcel", {"code": "address_incomplete"})
        for name in REQUIRED
        if not getattr(address, name)
    ]
    if address.phone and not _PHONE.match(address.phone):
        problems.append(
            FieldError(f"{prefix}.phone", "is not a phone number", {"code": "address_incomplete"})
        )
    if address.country and not re.fullmatch(r"[A-Z]{2}", address.country):
        problems.append(
            FieldError(
                f"{prefix}.country", "must be an ISO 3166 alpha-2 code", {"code": "address_incomplete"}
            )
        )
    postal = _POSTAL.get(address.country)
    if address.postal_code and postal and not postal.match(address.postal_code):
        problems.append(
            FieldError(
                f"{prefix}.postal_code",
                f"is not a valid postal code for {address.country}",
                {"code": "address_incomplete"},
            )
        )
    if any(ord(c) < 32 for c in "".join(str(v) for v in address.model_dump().values() if v)):
        problems.append(FieldError(prefix, "contains control characters", {"code": "address_incomplete"}))
    return problems
