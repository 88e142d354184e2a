"""Local stand-ins for the providers' APIs that check each request the way the provider does, keep the
money they moved, and can lose an answer after acting on a request (the case idempotency keys exist for).

- Stripe: ``Authorization: Bearer <secret key>``; ``Idempotency-Key`` replays the first answer (and a
  different request under the same key is an ``idempotency_error``); a refund never exceeds the payment.
- Alipay: the request's RSA2 ``sign`` checked with python-alipay-sdk's verifier and the app's public key;
  ``out_request_no`` refunds once (a repeat answers ``fund_change: "N"``); answers signed with Alipay's key.
- WeChat Pay: the ``Authorization`` signature checked with the merchant's public key (the documented
  ``METHOD\\nPATH\\ntimestamp\\nnonce\\nbody\\n``); ``out_refund_no`` refunds once; answers signed with the
  platform key by wechatpayv3's signer.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from alipay import AliPay
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from oms import clock
from oms_local import DEFAULT_PROVIDER_SECRETS, provider_key
from wechatpayv3.utils import load_private_key, rsa_sign

LOST = object()  # an answer the client never gets: the request was acted on, then the connection dropped


@dataclass
class Ledger:
    """What a provider paid and refunded, per payment id."""

    paid: dict[str, int] = field(default_factory=dict)  # payment id → amount
    orders: dict[str, str] = field(default_factory=dict)  # our order id → payment id
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key → refund
    requests: list[dict[str, Any]] = field(default_factory=list)
    lose_next: bool = False
    unreachable: int = 0  # this many requests never get there (the connection drops before they arrive)
    refused: list[str] = field(default_factory=list)

    def refunded(self, payment_id: str) -> int:
        """What was refunded on a payment; a refund that failed at the provider gave nothing back."""
        return sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_id"] == payment_id and r.get("status") != "failed"
        )

    def pay(self, order_id: str, payment_id: str, amount: int) -> None:
        self.paid[payment_id] = amount
        self.orders[order_id] = payment_id


class _Handler(BaseHTTPRequestHandler):
    fake: FakeProvider

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        result = self.fake.handle(self.command, self.path, headers, body)
        if result is LOST:
            self.close_connection = True
            self.connection.close()
            return
        status, answer_headers, text = result
        data = text.encode()
        self.send_response(status)
        for name, value in answer_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer


class FakeProvider:
    def __init__(self) -> None:
        self.ledger = Ledger()
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, headers: dict[str, str], body: str) -> Any:
        with self.lock:
            if self.ledger.unreachable > 0:
                self.ledger.unreachable -= 1
                return LOST
            self.ledger.requests.append({"method": method, "path": path, "headers": headers, "body": body})
            result = self.route(method, path, headers, body)
            if self.ledger.lose_next and result[0] < 300:
                self.ledger.lose_next = False
                return LOST
            return result

    def route(
        self, method: str, path: str, headers: dict[str, str], body: str
    ) -> tuple[int, dict[str, str], str]:
        raise NotImplementedError

    def pay(self, order_id: str, amount: int) -> str:
        """The buyer pays ``order_id`` at the provider; the provider's payment id."""
        raise NotImplementedError


def _json(status: int, payload: Any, **headers: str) -> tuple[int, dict[str, str], str]:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(payload, ensure_ascii=False)


# -- Stripe


class FakeStripe(FakeProvider):
    def __init__(self, api_key: str = DEFAULT_PROVIDER_SECRETS["STRIPE_API_KEY"]) -> None:
        super().__init__()
        self.api_key = api_key
        self.metadata: dict[str, dict[str, str]] = {}  # payment intent → metadata
        self.replies: dict[str, tuple[str, tuple[int, dict[str, str], str]]] = {}
        self.outcome = "succeeded"  # what a new refund's status is ("pending": settled later)

    def route(
        self, method: str, path: str, headers: dict[str, str], body: str
    ) -> tuple[int, dict[str, str], str]:
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return _json(
                401,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "api_key_invalid",
                        "message": "Invalid API Key provided",
                    }
                },
            )
        url = urlsplit(path)
        if method == "POST" and url.path == "/v1/refunds":
            key = headers.get("idempotency-key", "")
            if key in self.replies:
                sent, reply = self.replies[key]
                if sent != body:
                    return _json(
                        400,
                        {
                            "error": {
                                "type": "idempotency_error",
                                "message": "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                            }
                        },
                    )
                return reply[0], {**reply[1], "Idempotent-Replayed": "true"}, reply[2]
            reply = self._refund(dict(parse_qsl(body, strict_parsing=True)), key)
            if key:
                self.replies[key] = (body, reply)
            return reply
        if method == "GET" and url.path == "/v1/refunds":
            intent = dict(parse_qsl(url.query)).get("payment_intent", "")
            data = [
                {k: v for k, v in r.items() if k != "payment_id"}
                for r in self.ledger.refunds.values()
                if r["payment_id"] == intent
            ]
            return _json(200, {"object": "list", "data": data, "has_more": False})
        if method == "GET" and url.path == "/v1/payment_intents/search":
            query = dict(parse_qsl(url.query)).get("query", "")
            found = re.search(r"metadata\['order_id'\]:'([^']+)'", query)
            order_id = found.group(1) if found else ""
            data = [
                {
                    "id": pi,
                    "object": "payment_intent",
                    "status": "succeeded",
                    "amount": amount,
                    "amount_received": amount,
                    "currency": "cny",
                    "metadata": self.metadata.get(pi, {}),
                }
                for pi, amount in self.ledger.paid.items()
                if self.metadata.get(pi, {}).get("order_id") == order_id
            ]
            return _json(200, {"object": "search_result", "data": data, "has_more": False})
        return _json(404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}})

    def pay(self, order_id: str, amount: int) -> str:
        intent = f"pi_{uuid.uuid4().hex[:24]}"
        self.ledger.pay(order_id, intent, amount)
        self.metadata[intent] = {"order_id": order_id}
        return intent

    def _refund(self, form: dict[str, str], key: str) -> tuple[int, dict[str, str], str]:
        intent, amount = form.get("payment_intent", ""), int(form.get("amount", "0"))
        if intent not in self.ledger.paid:
            return _json(
                404,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "param": "payment_intent",
                    }
                },
            )
        if amount <= 0 or self.ledger.refunded(intent) + amount > self.ledger.paid[intent]:
            self.ledger.refused.append(key)
            return _json(400, {"error": {"type": "invalid_request_error", "code": "amount_too_large"}})
        refund = {
            "id": f"re_{uuid.uuid4().hex[:24]}",
            "object": "refund",
            "amount": amount,
            "currency": "cny",
            "payment_intent": intent,
            "status": self.outcome,
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
        }
        self.ledger.refunds[key or refund["id"]] = {**refund, "payment_id": intent}
        return _json(200, refund)


# -- Alipay


class FakeAlipay(FakeProvider):
    def __init__(
        self, app_id: str = DEFAULT_PROVIDER_SECRETS["ALIPAY_APP_ID"], signing_key: str | None = None
    ) -> None:
        super().__init__()
        self.app_id = app_id
        # The SDK's verifier, holding the app's public key (what Alipay checks our requests with) …
        self.verifier = AliPay(
            appid=app_id,
            app_private_key_string=provider_key("alipay-platform-private"),
            alipay_public_key_string=provider_key("alipay-app-public"),
        )
        # … and its signer, holding Alipay's private key (what our client checks the answers with).
        self.signer = AliPay(
            appid=app_id,
            app_private_key_string=signing_key or provider_key("alipay-platform-private"),
            alipay_public_key_string=provider_key("alipay-platform-public"),
        )

    def _signed(self, method: str, answer: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
        name = method.replace(".", "_") + "_response"
        return (
            200,
            {"Content-Type": "text/html;charset=utf-8"},
            f'{{"{name}":{text},"sign":"{self.signer._sign(text)}"}}',
        )

    def route(
        self, method: str, path: str, headers: dict[str, str], body: str
    ) -> tuple[int, dict[str, str], str]:
        params = dict(parse_qsl(body, keep_blank_values=True))
        sign = params.pop("sign", "")
        message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        if params.get("app_id") != self.app_id or not self.verifier._verify(message, sign):
            return (
                200,
                {},
                json.dumps(
                    {
                        "error_response": {
                            "code": "40002",
                            "msg": "Invalid Arguments",
                            "sub_code": "isv.invalid-signature",
                        }
                    }
                ),
            )
        api = params.get("method", "")
        biz = json.loads(params.get("biz_content", "{}"))
        if api == "alipay.trade.refund":
            return self._signed(api, self._refund(biz))
        if api == "alipay.trade.fastpay.refund.query":
            done = self.ledger.refunds.get(str(biz.get("out_request_no", "")))
            found = {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": biz.get("out_trade_no"),
                "out_request_no": biz.get("out_request_no"),
            }
            if done is not None:
                found.update(trade_no=done["payment_id"], refund_status="REFUND_SUCCESS")
            return self._signed(api, found)
        if api == "alipay.trade.query":
            trade = self.ledger.orders.get(biz.get("out_trade_no", ""))
            if trade is None:
                return self._signed(
                    api,
                    {
                        "code": "40004",
                        "msg": "Business Failed",
                        "sub_code": "ACQ.TRADE_NOT_EXIST",
                        "sub_msg": "交易不存在",
                    },
                )
            amount = self.ledger.paid[trade]
            return self._signed(
                api,
                {
                    "code": "10000",
                    "msg": "Success",
                    "trade_no": trade,
                    "out_trade_no": biz["out_trade_no"],
                    "trade_status": "TRADE_SUCCESS",
                    "total_amount": f"{amount // 100}.{amount % 100:02d}",
                },
            )
        return self._signed(
            api, {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}
        )

    def pay(self, order_id: str, amount: int) -> str:
        trade = f"2026112522001{uuid.uuid4().int % 10**15:015d}"
        self.ledger.pay(order_id, trade, amount)
        return trade

    def _refund(self, biz: dict[str, Any]) -> dict[str, Any]:
        trade = biz.get("trade_no") or self.ledger.orders.get(biz.get("out_trade_no", ""), "")
        key = str(biz.get("out_request_no", ""))
        whole, _, cents = str(biz.get("refund_amount", "0")).partition(".")
        amount = int(whole) * 100 + int(cents.ljust(2, "0") or 0)
        base = {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade,
            "out_trade_no": biz.get("out_trade_no"),
            "buyer_logon_id": "159****5620",
            "refund_fee": biz.get("refund_amount"),
        }
        if key in self.ledger.refunds:
            return {**base, "fund_change": "N"}  # the same out_request_no: already refunded, nothing moves
        if trade not in self.ledger.paid or self.ledger.refunded(trade) + amount > self.ledger.paid[trade]:
            self.ledger.refused.append(key)
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                "sub_msg": "退款金额超限",
            }
        self.ledger.refunds[key] = {"payment_id": trade, "amount": amount}
        return {**base, "fund_change": "Y"}


# -- WeChat Pay


def _merchant_public_key() -> Any:
    return serialization.load_pem_public_key(provider_key("wechatpay-merchant-public").encode())


class FakeWechatPay(FakeProvider):
    def __init__(self, mchid: str = DEFAULT_PROVIDER_SECRETS["WECHATPAY_MCHID"]) -> None:
        super().__init__()
        self.mchid = mchid
        self.serial = DEFAULT_PROVIDER_SECRETS["WECHATPAY_MERCHANT_SERIAL"]
        self.platform = load_private_key(provider_key("wechatpay-platform-private"))
        self.outcome = "SUCCESS"  # a new refund's status ("PROCESSING": settled later)

    def _signed(self, status: int, payload: Any) -> tuple[int, dict[str, str], str]:
        text = json.dumps(payload, ensure_ascii=False)
        stamp, nonce = str(int(clock.now().timestamp())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json",
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": "PUB_KEY_ID_0114232134912410000000000000",
            "Wechatpay-Signature": rsa_sign(self.platform, f"{stamp}\n{nonce}\n{text}\n"),
        }
        return status, headers, text

    def _authorized(self, method: str, path: str, headers: dict[str, str], body: str) -> bool:
        scheme, _, rest = headers.get("authorization", "").partition(" ")
        fields = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if (
            scheme != "WECHATPAY2-SHA256-RSA2048"
            or fields.get("mchid") != self.mchid
            or fields.get("serial_no") != self.serial
        ):
            return False
        message = f"{method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n"
        try:
            _merchant_public_key().verify(
                base64.b64decode(fields.get("signature", "")),
                message.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def route(
        self, method: str, path: str, headers: dict[str, str], body: str
    ) -> tuple[int, dict[str, str], str]:
        if not self._authorized(method, path, headers, body):
            return _json(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        url = urlsplit(path)
        if method == "POST" and url.path == "/v3/refund/domestic/refunds":
            return self._refund(json.loads(body))
        if method == "GET" and url.path.startswith("/v3/refund/domestic/refunds/"):
            done = self.ledger.refunds.get(url.path.rsplit("/", 1)[1])
            if done is None:
                return _json(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
            return self._signed(200, done["answer"])
        if method == "GET" and url.path.startswith("/v3/pay/transactions/out-trade-no/"):
            order_id = url.path.rsplit("/", 1)[1]
            if dict(parse_qsl(url.query)).get("mchid") != self.mchid:
                return _json(400, {"code": "PARAM_ERROR", "message": "mchid"})
            transaction = self.ledger.orders.get(order_id)
            if transaction is None:
                return _json(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            amount = self.ledger.paid[transaction]
            return self._signed(
                200,
                {
                    "mchid": self.mchid,
                    "out_trade_no": order_id,
                    "transaction_id": transaction,
                    "trade_state": "SUCCESS",
                    "amount": {"total": amount, "currency": "CNY"},
                },
            )
        return _json(404, {"code": "NOT_FOUND", "message": "no such API"})

    def pay(self, order_id: str, amount: int) -> str:
        transaction = f"42000{uuid.uuid4().int % 10**23:023d}"
        self.ledger.pay(order_id, transaction, amount)
        return transaction

    def _refund(self, asked: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        key, transaction = asked.get("out_refund_no", ""), asked.get("transaction_id", "")
        amount = asked.get("amount", {})
        if key in self.ledger.refunds:
            return self._signed(200, self.ledger.refunds[key]["answer"])
        if transaction not in self.ledger.paid or amount.get("total") != self.ledger.paid[transaction]:
            return _json(400, {"code": "INVALID_REQUEST", "message": "订单金额或退款金额与之前请求不一致"})
        if self.ledger.refunded(transaction) + amount.get("refund", 0) > self.ledger.paid[transaction]:
            self.ledger.refused.append(key)
            return _json(403, {"code": "NOT_ENOUGH", "message": "基本账户余额不足"})
        answer = {
            "refund_id": f"5030{uuid.uuid4().int % 10**25:025d}",
            "out_refund_no": key,
            "transaction_id": transaction,
            "status": self.outcome,
            "amount": {"refund": amount["refund"], "total": amount["total"], "currency": "CNY"},
        }
        self.ledger.refunds[key] = {"payment_id": transaction, "amount": amount["refund"], "answer": answer}
        return self._signed(200, answer)


@contextmanager
def serving(fake: FakeProvider) -> Iterator[str]:
    """``fake`` on a loopback port for the block; yields its base URL."""
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
