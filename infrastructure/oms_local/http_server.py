"""The threaded HTTP server both local endpoints (gateway, Lambda Invoke) run on."""

from __future__ import annotations

import logging
import sys
from http.server import ThreadingHTTPServer
from typing import Any

log = logging.getLogger("local_stack.http")


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default listen backlog of 5 drops connections when tens of clients (or executions) arrive at once.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client closing its kept-alive connection is routine (boto3 drops pooled ones), not an error.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            log.debug("client %s went away: %s", client_address, error)
            return
        log.exception("error serving %s", client_address)
