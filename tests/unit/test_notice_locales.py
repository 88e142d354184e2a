"""The locale files: each defines every message with the same placeholders, and a new locale is one file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from oms.notices import catalogue
from oms.notices.catalogue import FALLBACK, LOCALES_DIR, LocaleError, load
from oms.notices.locale import NOTICE_FIELDS, Locale, placeholders
from oms.notices.rendering import notice
from oms.notices.templates import order_paid

ORDER = {
    "id": "ORD-7",
    "totals": {"currency": "EUR", "total": 4250},
    "estimated_ship_by": "2026-03-03T12:00:00Z",
}


def _placeholders_by_message(locale: Locale) -> dict[str, set[str]]:
    found = {}
    for name, message in locale.messages.items():
        templates = [
            line
            for entry in message.values()
            for line in (entry.values() if isinstance(entry, dict) else [entry])
        ]
        found[name] = set().union(*map(placeholders, templates))
    return found


def _copy_shipped(folder: Path) -> Path:
    for path in LOCALES_DIR.glob("*.toml"):
        shutil.copy(path, folder / path.name)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_locales_define_every_message_with_the_same_placeholders() -> None:
    locales = load().locales
    assert set(locales) == {"en", "zh-CN"}
    reference = _placeholders_by_message(locales[FALLBACK])
    for locale in locales.values():
        assert _placeholders_by_message(locale) == reference, locale.name
        for message in locale.messages.values():
            assert set(NOTICE_FIELDS) <= set(message)


def test_the_package_reads_the_shipped_files_once() -> None:
    assert catalogue.shipped() is catalogue.shipped()
    assert set(catalogue.shipped().locales) == set(load().locales)


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('[return_lapsed]\nsubject = "退货已失效 {order_id}"\n', "[return_lapsed]\n", "needs subject"),
        ("[refund_issued]", "[refund_issued_typo]", "messages"),
        ("{amount}已原路退回", "{amuont}已原路退回", "fills"),
        ('review = "审核通过后发货。", ', "", "[order_paid] has"),
        ('"{year}年{month}月{day}日"', '"{year}年{month}月{weekday}"', "date has unknown placeholders"),
        ('wechat_pay = "微信支付"\n', "", "[names.payment_method]"),
    ],
    ids=["missing-field", "missing-message", "unknown-placeholder", "missing-choice", "date", "names"],
)
def test_a_locale_file_that_differs_from_english_fails_to_load(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    _edit(_copy_shipped(tmp_path) / "zh-CN.toml", old, new)
    with pytest.raises(LocaleError, match=r"zh-CN\.toml") as failed:
        load(tmp_path)
    assert complaint in str(failed.value)


def test_adding_a_locale_is_adding_its_file(tmp_path: Path) -> None:
    fr = _copy_shipped(tmp_path) / "fr.toml"
    shutil.copy(tmp_path / "en.toml", fr)
    _edit(fr, '"{day:02d} {month_abbr} {year}"', '"{day}/{month:02d}/{year}"')
    _edit(fr, '"Payment received {order_id}"', '"Paiement reçu {order_id}"')
    _edit(fr, '"We will dispatch it by {ship_by}."', '"Expédition prévue le {ship_by}."')
    loaded = load(tmp_path)

    french = notice("order_paid", order_paid, ORDER, "fr", {}, catalogue=loaded)
    assert french.subject == "Paiement reçu ORD-7"
    assert french.body == "We received €42.50 for order ORD-7. Expédition prévue le 3/03/2026."
    # The shipped locales read as before, and a locale still without a file reads English.
    for locale in ("en", "zh-CN", "fr-CA"):
        assert notice("order_paid", order_paid, ORDER, locale, {}, catalogue=loaded) == notice(
            "order_paid", order_paid, ORDER, locale, {}
        )
