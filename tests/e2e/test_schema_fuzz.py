"""Schema fuzzing: every operation of the served ``/openapi.json``, over HTTP, on each engine.

Schemathesis generates requests from the document itself, valid (positive) and invalid (negative) ones,
plus valid ones aimed at real resources (a product, a delivered order and its return). Customers' routes
carry a customer's token, back-office routes an admin's; webhook bodies are signed like the provider's
(and every other one is sent unsigned, which must be a 401 problem). Every answer must be:

- never a 5xx;
- a 4xx as ``application/problem+json`` with a ``code``;
- a 2xx (and any status) documented for the operation, with a body that fits the documented schema;
- a 4xx for data that does not fit the schema (negative cases).

Bounded: ``OMS_FUZZ_EXAMPLES`` cases per operation and mode (default 6), derandomized, no deadline, no
shrinking (every finding is collected and reported at once). The count of cases sent is printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from oms import clock
from oms_local.testing import StackClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.carrier_notices import FORM, aftership_headers, easypost_headers, kuaidi100_form
from tests.e2e.shop import delivered_order, ok, product
from tests.provider_notices import ALIPAY_FORM, alipay_form, stripe_headers, wechatpay_headers

EXAMPLES = int(os.environ.get("OMS_FUZZ_EXAMPLES", "6"))
BUYER = "cus_fuzz"
PROVIDER_PATHS = {
    "/v1/webhooks/payments/stripe",
    "/v1/webhooks/payments/alipay",
    "/v1/webhooks/payments/wechatpay",
    "/v1/webhooks/carriers/kuaidi100",
    "/v1/webhooks/carriers/aftership",
    "/v1/webhooks/carriers/easypost",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _seed(stack: StackClient) -> dict[str, str]:
    """Real resources for the 'aimed' cases: a product in stock, a delivered order, its return."""
    sku = product(stack, 50)
    order = delivered_order(stack, (sku, 2, 3900), customer=BUYER)
    asked = stack.request(
        "POST",
        f"/v1/orders/{order['id']}/returns",
        token=stack.customer_token(BUYER),
        json={"items": [{"sku": sku, "quantity": 1}], "reason": "no_reason"},
    )
    return {
        "sku": sku,
        "order_id": order["id"],
        "return_id": ok(asked, 201)["id"],
        "carrier": "sf",
        "channel": "web",
    }


def _provider_signed(stack: StackClient, path: str, body: Any) -> tuple[bytes, dict[str, str]] | None:
    """A provider's notice signed as that provider signs (None for our own webhooks)."""
    moment = int(clock.now().timestamp())
    if path.endswith("/carriers/kuaidi100"):
        param = str(body.get("param", "")) if isinstance(body, dict) else ""
        return kuaidi100_form(param).encode(), dict(FORM)
    if path.endswith("/payments/alipay"):
        if not isinstance(body, dict):  # not a form at all: sent as it is (nothing to sign)
            return (body if isinstance(body, bytes) else str(body or "").encode()), dict(ALIPAY_FORM)
        params = {str(k): str(v) for k, v in body.items() if k not in ("sign", "sign_type")}
        return alipay_form(params).encode(), dict(ALIPAY_FORM)
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False)
    if path.endswith("/payments/stripe"):
        return raw.encode(), stripe_headers(raw, moment, stack.cloud.environment["STRIPE_WEBHOOK_SECRET"])
    if path.endswith("/payments/wechatpay"):
        return raw.encode(), wechatpay_headers(raw, moment)
    if path.endswith("/carriers/aftership"):
        return raw.encode(), aftership_headers(raw)
    if path.endswith("/carriers/easypost"):
        return raw.encode(), easypost_headers(raw)
    return None


# Refusals that providers expect in their own shape (openapi_responses.PROVIDER_NOTICES) rather than ours.
NOT_PROBLEM_JSON = {"/v1/webhooks/payments/wechatpay", "/v1/webhooks/carriers/kuaidi100"}


# A "negative" case is not negative once sent when its only violations are a missing Authorization header
# (the fuzzer sends its own token) or query parameters the operation does not declare (ignored, as HTTP
# APIs do); any other violation accepted is a finding.
_TOLERATED = re.compile(
    r"(header: violates `required` \(was Authorization\)"
    r"|parameter `Authorization` in header - violates `required` \(was Authorization\)"
    r"|query: violates `additionalProperties`)"
)


def _negative_only_in_what_the_fuzzer_overrides(text: str) -> bool:
    accepted = re.search(r"Schema-violating request accepted .*?Invalid component: (.*?) \[\d{3}\]", text)
    if (
        accepted is None
        or text.count("Schema-violating request accepted") != 1
        or "ST2" in text.replace("ST201", "")
    ):
        return False
    rest = _TOLERATED.sub("", accepted.group(1))
    return rest.strip(" -") == "" and rest != accepted.group(1)


def _problem_failure(answer: requests.Response, path: str) -> str | None:
    if not 400 <= answer.status_code < 500 or path in NOT_PROBLEM_JSON:
        return None
    if answer.headers.get("content-type", "").split(";")[0] != "application/problem+json":
        return f"{answer.status_code} as {answer.headers.get('content-type')!r}, not problem+json"
    try:
        body = answer.json()
    except ValueError:
        return f"{answer.status_code} problem that is not JSON: {answer.text[:200]!r}"
    if not isinstance(body, dict) or not body.get("code") or body.get("status") != answer.status_code:
        return f"{answer.status_code} problem without a code or with another status: {answer.text[:200]}"
    return None


class Fuzzer:
    def __init__(self, stack: StackClient) -> None:
        self.stack = stack
        self.session = requests.Session()
        self.customer = stack.customer_token(BUYER)
        self.admin = stack.admin_token()
        self.sent: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: dict[str, str] = {}

    def send(self, case: Any, mode: GenerationMode) -> None:
        path = case.operation.path
        label = f"{case.method.upper()} {path}"
        headers = {"Authorization": f"Bearer {self.admin if path.startswith('/v1/admin') else self.customer}"}
        kwargs = case.as_transport_kwargs(base_url=self.stack.url, headers=headers)
        kwargs.pop("cookies", None)
        provider = path in PROVIDER_PATHS
        if provider:
            kwargs["headers"].pop("Authorization", None)
            body = kwargs.pop("json", None) or kwargs.pop("data", None)
            signed = _provider_signed(self.stack, path, body)
            assert signed is not None
            # Signed and unsigned by turns: the provider's own headers, or none of them.
            if self.sent[label] % 2 == 0:
                kwargs["data"], signature = signed
                kwargs["headers"].update(signature)
            else:
                kwargs["data"] = signed[0].split(b"&sign=")[0]
                for name in list(kwargs["headers"]):
                    if name.lower().startswith(("stripe-", "wechatpay-", "aftership-", "x-hmac-")):
                        del kwargs["headers"][name]
                kwargs["headers"]["Content-Type"] = signed[1]["Content-Type"]
        elif path.startswith("/v1/webhooks"):
            kwargs["headers"].pop("Authorization", None)
            body = kwargs.pop("json", None)
            raw = (
                json.dumps(body, ensure_ascii=False).encode() if body is not None else kwargs.pop("data", b"")
            )
            kwargs["data"] = raw
            kwargs["headers"]["Content-Type"] = "application/json"
            # Signed and unsigned by turns: an unsigned delivery must be turned away with a 401 problem.
            if self.sent[label] % 2 == 0:
                secret = (
                    self.stack.carrier_secret(str((case.path_parameters or {}).get("carrier", "")))
                    if "/carriers/" in path
                    else self.stack.payment_webhook_secret
                )
                raw_bytes = raw if isinstance(raw, bytes) else str(raw).encode()
                kwargs["headers"]["X-Signature"] = self.stack.signature(secret, raw_bytes)
            else:
                kwargs["headers"].pop("X-Signature", None)
        try:
            answer = self.session.request(**kwargs, timeout=60)
        except (ValueError, UnicodeError, requests.exceptions.InvalidHeader):
            # Headers or URLs no HTTP client can put on the wire: nothing reached the server.
            self.sent["unsendable"] += 1
            return
        self.sent[label] += 1
        self.statuses[answer.status_code] += 1
        failure = _problem_failure(answer, path)
        signatures = (
            "x-signature",
            "stripe-signature",
            "wechatpay-signature",
            "aftership-hmac-sha256",
            "x-hmac-signature",
        )
        unsigned = path.startswith("/v1/webhooks") and not any(
            name.lower() in signatures for name in kwargs["headers"]
        )
        if provider and path.endswith(("/alipay", "/kuaidi100")):
            unsigned = b"&sign=" not in kwargs["data"]
        # An Alipay body that is no form at all is refused as malformed before a signature can be looked for.
        unreadable_form = path.endswith("/alipay") and answer.status_code == 400
        if failure is None and unsigned and answer.status_code != 401 and not unreadable_form:
            failure = f"unsigned webhook answered {answer.status_code}"
        if failure is None:
            checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])
            try:
                case.validate_response(answer, checks=checks)
            except (Exception, BaseExceptionGroup) as error:  # a failure, or a group of them
                text = " ".join(str(error).split())
                failure = None if _negative_only_in_what_the_fuzzer_overrides(text) else text[:600]
        if failure is not None:
            self.failures.setdefault(f"{label} [{mode.value}] -> {answer.status_code}", failure)


def _run(fuzzer: Fuzzer, strategy: Any, mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        fuzzer.send(case, mode)

    with contextlib.suppress(Unsatisfiable):  # nothing to negate: no parameters and no body
        fuzz()


def test_every_operation_answers_by_its_schema(stack: StackClient, engine: str) -> None:
    started = time.monotonic()
    document = ok(stack.request("GET", "/openapi.json"))
    schema = schemathesis.openapi.from_dict(document)
    seeds = _seed(stack)
    fuzzer = Fuzzer(stack)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 38, "the document lists every route"
    for operation in operations:
        names = re.findall(r"{(\w+)}", operation.path)
        aimed: Callable[[], Any] | None = None
        if names and all(n in seeds for n in names):
            pinned = {n: seeds[n] for n in names}
            aimed = lambda op=operation, p=pinned: op.as_strategy(path_parameters=p)  # noqa: E731
        _run(fuzzer, operation.as_strategy(generation_mode=GenerationMode.POSITIVE), GenerationMode.POSITIVE)
        _run(fuzzer, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), GenerationMode.NEGATIVE)
        if aimed is not None:
            _run(fuzzer, aimed(), GenerationMode.POSITIVE)
    cases = sum(n for label, n in fuzzer.sent.items() if label != "unsendable")
    print(
        f"\nschema fuzz [{engine}]: {cases} cases over {len(operations)} operations in "
        f"{time.monotonic() - started:.0f} s; statuses {dict(sorted(fuzzer.statuses.items()))}; "
        f"{fuzzer.sent['unsendable']} unsendable"
    )
    assert not fuzzer.failures, "\n".join(f"{k}: {v}" for k, v in sorted(fuzzer.failures.items()))
    assert cases >= len(operations) * 2, "every operation was exercised"
    assert fuzzer.statuses[200] + fuzzer.statuses[201] > 0, "some cases got through to a success"
