"""A webhook subscriber on loopback for the tests and the benchmark: keeps what it was sent (headers, body,
when) and answers the statuses it is told to, then 204."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


class Subscriber:
    """An endpoint on loopback that keeps what it was sent and answers the statuses it is told to."""

    def __init__(self, answers: list[int] | None = None, delay: float = 0.0) -> None:
        self.received: list[tuple[dict[str, str], str]] = []
        self.received_at: list[float] = []  # wall clock, seconds
        self.answers = list(answers or [])
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                subscriber.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                subscriber.received_at.append(time.time())
                status = subscriber.answers.pop(0) if subscriber.answers else 204
                time.sleep(delay)  # a slow endpoint
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/oms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every request, checked by the reference library: the parsed body, with the webhook-id."""
        return [
            {**Webhook(secret).verify(body, headers), "webhook_id": headers["webhook-id"]}
            for headers, body in self.received
        ]
