"""The notices' wording is data beside the code: the layer ships the locale files and a notice renders from it."""

from __future__ import annotations

import json
from pathlib import Path

from oms.notices.catalogue import LOCALES_DIR
from oms.notices.templates import RENDERERS
from oms_build import Artefact
from oms_local.template import Template

from tests.build import clean_interpreter

_RENDER = """
import json, sys
from oms.notices import catalogue
from oms.notices.templates import RENDERERS
order, detail = json.loads(sys.argv[1]), json.loads(sys.argv[2])
notices = {locale: vars(RENDERERS["OrderPlaced"](order, locale, detail)) for locale in sys.argv[3:]}
print(json.dumps({"locales_dir": str(catalogue.LOCALES_DIR), "notices": notices}))
"""

ORDER = {
    "id": "ORD-42",
    "totals": {"currency": "CNY", "subtotal": 9900, "discount": 0, "shipping_fee": 800, "total": 10700},
    "payment_method": "wechat_pay",
    "payment_due_at": "2026-03-01T10:30:00Z",
    "estimated_ship_by": "2026-03-03T12:00:00Z",
    "estimated_delivery_by": "2026-03-06T12:00:00Z",
    "lines": [{"name": "茶杯", "quantity": 1, "unit_price": 9900}],
    "shipping_address": {
        "recipient": "王小明",
        "phone": "138 0000 0000",
        "region": "浙江省",
        "city": "杭州市",
        "line1": "文三路 1 号",
        "postal_code": "310000",
        "country": "CN",
    },
}
LOCALES = ("zh-CN", "en", "fr")


def _layer_locales(host: Artefact) -> Path:
    return host.layer_python / LOCALES_DIR.relative_to(LOCALES_DIR.parents[2])


def test_the_layer_holds_every_locale_file(host: Artefact) -> None:
    shipped = _layer_locales(host)
    sources = sorted(path.name for path in LOCALES_DIR.glob("*.toml"))
    assert {"en.toml", "zh-CN.toml"} <= set(sources)
    assert sorted(path.name for path in shipped.glob("*.toml")) == sources
    for name in sources:
        assert (shipped / name).read_bytes() == (LOCALES_DIR / name).read_bytes(), name


def test_a_notice_renders_from_the_artefact_alone(host: Artefact, template: Template) -> None:
    fn = next(fn for fn in template.functions.values() if fn.code_dir.name == "notify")
    function_dir = host.function_dir(fn.code_dir)
    done = clean_interpreter.run(
        _RENDER,
        (function_dir, host.layer_python),
        clean_interpreter.lambda_environment(fn, function_dir),
        json.dumps(ORDER),
        json.dumps({}),
        *LOCALES,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["locales_dir"]) == _layer_locales(host)
    expected = {locale: vars(RENDERERS["OrderPlaced"](ORDER, locale, {})) for locale in LOCALES}
    assert found["notices"] == expected
    assert found["notices"]["zh-CN"]["subject"] == "订单确认 ORD-42"
    assert found["notices"]["en"]["subject"] == "Order confirmation ORD-42"
