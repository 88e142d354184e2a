"""address_problems: an address is complete when a carrier can deliver to it (收货地址完整性)."""

from __future__ import annotations

import pytest
from oms.domain.address import REQUIRED, Address, address_problems
from pydantic import ValidationError

from tests.unit.order_builders import address

MISSING = "is required to deliver the parcel"


def problems(a: Address, prefix: str = "shipping_address") -> list[tuple[str, str, str]]:
    return [(p.field, p.message, p.extra["code"]) for p in address_problems(a, prefix)]


def test_a_complete_address_has_no_problem() -> None:
    assert problems(address()) == []


def test_the_second_line_is_optional() -> None:
    assert problems(address(line2=None)) == []
    assert problems(address(line2="3 单元 502")) == []


def test_the_required_fields() -> None:
    assert REQUIRED == ("recipient", "phone", "line1", "city", "region", "postal_code", "country")


@pytest.mark.parametrize("name", REQUIRED)
def test_each_missing_field_is_named(name: str) -> None:
    assert problems(address(**{name: ""})) == [(f"shipping_address.{name}", MISSING, "address_incomplete")]


@pytest.mark.parametrize("name", REQUIRED)
def test_blank_is_missing(name: str) -> None:
    assert problems(address(**{name: "   "})) == [(f"shipping_address.{name}", MISSING, "address_incomplete")]


def test_an_empty_address_names_every_field_in_order() -> None:
    assert problems(Address()) == [(f"shipping_address.{n}", MISSING, "address_incomplete") for n in REQUIRED]


def test_fields_are_trimmed() -> None:
    assert address(city="  济南 ").city == "济南"


@pytest.mark.parametrize(
    "phone", ["+8613800000000", "13800000000", "+86 138-0000-0000", "123456", "+1 415 555 0100"]
)
def test_phone_numbers_that_pass(phone: str) -> None:
    assert problems(address(phone=phone)) == []


@pytest.mark.parametrize(
    "phone", ["call me", "12345", "+", "-13800000000", "138.0000.0000", "1" * 21, "+86(138)0000"]
)
def test_phone_numbers_that_do_not(phone: str) -> None:
    assert problems(address(phone=phone)) == [
        ("shipping_address.phone", "is not a phone number", "address_incomplete")
    ]


@pytest.mark.parametrize(
    ("country", "postal_code"),
    [("CN", "250000"), ("US", "94105"), ("US", "94105-1234"), ("DE", "10115"), ("GB", "SW1A 1AA")],
)
def test_postal_codes_that_pass(country: str, postal_code: str) -> None:
    assert problems(address(country=country, postal_code=postal_code)) == []


@pytest.mark.parametrize(
    ("country", "postal_code"),
    [
        ("CN", "25000"),
        ("CN", "2500000"),
        ("CN", "25000A"),
        ("US", "9410"),
        ("US", "94105-12"),
        ("US", "ABCDE"),
    ],
)
def test_postal_codes_that_do_not(country: str, postal_code: str) -> None:
    assert problems(address(country=country, postal_code=postal_code)) == [
        ("shipping_address.postal_code", f"is not a valid postal code for {country}", "address_incomplete")
    ]


@pytest.mark.parametrize("country", ["cn", "C1", "C"])
def test_country_must_be_an_upper_case_alpha_2_code(country: str) -> None:
    # Without a known country the postal code is not checked further.
    assert problems(address(country=country, postal_code="x")) == [
        ("shipping_address.country", "must be an ISO 3166 alpha-2 code", "address_incomplete")
    ]


def test_control_characters_are_refused() -> None:
    assert problems(address(line1="人民路\x001 号")) == [
        ("shipping_address", "contains control characters", "address_incomplete")
    ]
    assert problems(address(line2="a\tb")) == [
        ("shipping_address", "contains control characters", "address_incomplete")
    ]


def test_every_problem_at_once() -> None:
    bad = address(recipient="", phone="x", city="", postal_code="1", line1="a\nb")
    assert problems(bad) == [
        ("shipping_address.recipient", MISSING, "address_incomplete"),
        ("shipping_address.city", MISSING, "address_incomplete"),
        ("shipping_address.phone", "is not a phone number", "address_incomplete"),
        ("shipping_address.postal_code", "is not a valid postal code for CN", "address_incomplete"),
        ("shipping_address", "contains control characters", "address_incomplete"),
    ]


def test_the_field_prefix_is_the_callers() -> None:
    assert problems(address(city=""), prefix="address") == [("address.city", MISSING, "address_incomplete")]


@pytest.mark.parametrize(
    "fields",
    [
        {"country": "CHN"},
        {"recipient": "x" * 101},
        {"line1": "x" * 201},
        {"postal_code": "1" * 17},
        {"floor": 3},
    ],
)
def test_oversized_or_unknown_fields_are_refused_by_the_model(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        address(**fields)
