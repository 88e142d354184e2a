"""The locale files: one per locale in ``locales/``, named by the locale a buyer's profile holds.

Adding a language is adding its file. Each file is checked against English when loaded: the same messages,
the same parts and choices, the same placeholders, so a missing key or a misspelt placeholder fails at once
(in the tests) rather than in a buyer's notice.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oms.notices.locale import DEFAULT_NAME, NOTICE_FIELDS, Locale, placeholders

LOCALES_DIR = Path(__file__).with_name("locales")
# A locale without a file reads English; only an exact "zh-CN" ever read Chinese, and still does.
FALLBACK = "en"
_DATE_FIELDS = frozenset({"year", "month", "day", "month_abbr"})
_ADDRESS_FIELDS = frozenset(
    {"recipient", "phone", "line1", "line2", "city", "region", "postal_code", "country"}
)
_NAME_FIELDS = frozenset({"code", "words"})


class LocaleError(ValueError):
    """A locale file that does not define what English defines."""


@dataclass(frozen=True)
class Catalogue:
    locales: Mapping[str, Locale]

    def pick(self, locale: str) -> Locale:
        return self.locales.get(locale) or self.locales[FALLBACK]


def load(folder: Path = LOCALES_DIR) -> Catalogue:
    locales = {path.stem: _read(path) for path in sorted(folder.glob("*.toml"))}
    if FALLBACK not in locales:
        raise LocaleError(f"no {FALLBACK}.toml in {folder}")
    problems = [problem for locale in locales.values() for problem in _problems(locale, locales[FALLBACK])]
    if problems:
        raise LocaleError("\n".join(problems))
    return Catalogue(locales)


@functools.cache
def shipped() -> Catalogue:
    """The files shipped with the package, read once per process."""
    return load()


def _read(path: Path) -> Locale:
    with path.open("rb") as file:
        messages = tomllib.load(file)
    return Locale(path.stem, messages.pop("format", {}), messages.pop("names", {}), messages)


def _problems(locale: Locale, reference: Locale) -> Iterator[str]:
    where = f"{locale.name}.toml"
    yield from _unknown(where, "date", {locale.formats.get("date", "")}, _DATE_FIELDS)
    if not locale.formats.get("date"):
        yield f"{where}: [format] has no date"
    yield from _unknown(where, "address", locale.formats.get("address", {}).get("parts", []), _ADDRESS_FIELDS)
    for table, codes in reference.names.items():
        mine = locale.names.get(table, {})
        if set(mine) - {DEFAULT_NAME} != set(codes) - {DEFAULT_NAME}:
            yield f"{where}: [names.{table}] names {sorted(mine)}, not {sorted(codes)}"
        yield from _unknown(where, f"names.{table}", {mine.get(DEFAULT_NAME, "")}, _NAME_FIELDS)
    if set(locale.messages) != set(reference.messages):
        yield f"{where}: messages {sorted(locale.messages)}, not {sorted(reference.messages)}"
    for name, message in reference.messages.items():
        mine = locale.messages.get(name, {})
        if not set(NOTICE_FIELDS) <= set(mine):
            yield f"{where}: [{name}] needs {', '.join(NOTICE_FIELDS)}"
        elif _shape(mine) != _shape(message):
            yield f"{where}: [{name}] has {_shape(mine)}, not {_shape(message)}"
        elif _used(mine) != _used(message):
            yield f"{where}: [{name}] fills {sorted(_used(mine))}, not {sorted(_used(message))}"


def _unknown(where: str, what: str, templates: Any, known: frozenset[str]) -> Iterator[str]:
    unknown = set().union(*map(placeholders, templates)) - known
    if unknown:
        yield f"{where}: {what} has unknown placeholders {sorted(unknown)}"


def _shape(message: Mapping[str, Any]) -> dict[str, list[str] | None]:
    """Each entry, with a choice's lines by name (a template's wording may differ, its shape may not)."""
    return {key: sorted(value) if isinstance(value, Mapping) else None for key, value in message.items()}


def _used(message: Mapping[str, Any]) -> set[str]:
    templates = [
        v for value in message.values() for v in (value.values() if isinstance(value, Mapping) else [value])
    ]
    return set().union(*map(placeholders, templates))
