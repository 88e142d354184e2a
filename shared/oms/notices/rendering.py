"""From an order, an event's facts and a buyer's locale to a notice: values prepared once, wording per locale."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from oms.notices.catalogue import Catalogue, shipped
from oms.notices.locale import Locale, Notice

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "JPY": "¥", "HKD": "HK$"}

Facts = Mapping[str, Any]
# What a message's placeholders show, given the order, the event's facts and the locale (for its dates,
# addresses and names); one per message, whatever the locale.
Preparer = Callable[[Mapping[str, Any], Facts, Locale], dict[str, Any]]
Renderer = Callable[[dict[str, Any], str, Mapping[str, Any] | None], Notice]


def money(amount: int, currency: str) -> str:
    symbol = SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{amount // 100}.{amount % 100:02d}"


def currency_of(order: Mapping[str, Any]) -> str:
    return str(order["totals"]["currency"])


def notice(
    message: str,
    prepare: Preparer,
    order: Mapping[str, Any],
    locale: str,
    detail: Facts | None = None,
    catalogue: Catalogue | None = None,
) -> Notice:
    chosen = (catalogue or shipped()).pick(locale)
    return chosen.render(message, prepare(order, detail or {}, chosen))


def renderer(prepare: Preparer, message: str | None = None) -> Renderer:
    """The notice function for one message (named as ``prepare`` unless told), in the buyer's locale."""
    name = message or prepare.__name__

    def render(order: dict[str, Any], locale: str, detail: Facts | None = None) -> Notice:
        return notice(name, prepare, order, locale, detail)

    return render
