"""One locale's notices, read from its file: the wording, its date and address formats, its names for codes.

A message is a table of templates filled with ``str.format_map``. ``subject``, ``body`` and ``sms`` are the
notice; any other entry is a part the three refer to by name: a table is a choice (the value of the same
name picks its line, e.g. ``review`` or ``ship``) and a string is one line per row of a list value (an
order's items). Parts are filled with the same values, so a chosen line may hold placeholders of its own.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from oms import clock

NOTICE_FIELDS = ("subject", "body", "sms")
# What a ``[names.*]`` table gives for a code it does not list, unless its ``_default`` says otherwise.
DEFAULT_NAME = "_default"

Values = Mapping[str, Any]


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    sms: str


def placeholders(template: str) -> set[str]:
    """The names a template fills, ``{day:02d}`` and ``{a.b}`` read as ``day`` and ``a``."""
    found: set[str] = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            found.add(field.split(".", 1)[0].split("[", 1)[0])
    return found


@dataclass(frozen=True)
class Locale:
    name: str
    formats: Mapping[str, Any]
    names: Mapping[str, Mapping[str, str]]
    messages: Mapping[str, Mapping[str, Any]]

    def render(self, message: str, values: Values) -> Notice:
        scope = _Scope(self.messages[message], values)
        return Notice(*(scope.fill(scope.templates[field]) for field in NOTICE_FIELDS))

    def date(self, text: str) -> str:
        moment = clock.parse(text)
        return self.formats["date"].format(
            year=moment.year, month=moment.month, day=moment.day, month_abbr=moment.strftime("%b")
        )

    def address(self, address: Mapping[str, Any]) -> str:
        """The format's parts filled from the address, the empty ones left out (so English skips a missing line2)."""
        spec = self.formats["address"]
        fields = {**address, "line2": address.get("line2") or ""}
        filled = (part.format_map(fields) for part in spec["parts"])
        return str(spec["separator"]).join(part for part in filled if part)

    def word(self, table: str, code: str) -> str:
        """This locale's word for a code (a payment method, an exception's kind)."""
        names = self.names[table]
        if code in names:
            return str(names[code])
        return str(names.get(DEFAULT_NAME, "{code}")).format(code=code, words=code.replace("_", " "))


class _Scope(Mapping[str, Any]):
    """The values a message's templates read, its parts filled on first use."""

    def __init__(self, templates: Mapping[str, Any], values: Values) -> None:
        self.templates, self.given = templates, values

    def fill(self, template: str) -> str:
        return template.format_map(self)

    def __getitem__(self, key: str) -> Any:
        value, part = self.given[key], self.templates.get(key)
        if isinstance(part, Mapping):
            return self.fill(part[value])
        if isinstance(part, str):
            return "\n".join(_Scope(self.templates, {**self.given, **row}).fill(part) for row in value)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.given)

    def __len__(self) -> int:
        return len(self.given)
