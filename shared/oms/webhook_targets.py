"""Where a webhook may be sent, and sending it there: no server-side request forgery.

A subscriber's URL is checked when it is given and again at every attempt, on the addresses its name
resolves to *then* (a name can be pointed at ``169.254.169.254`` after it was accepted). The connection is
made to the address that was checked, never to a second lookup, and redirects are not followed.

``WEBHOOK_TARGETS`` says what is allowed: ``public`` (in AWS: ``https://`` to global addresses only) or
``public-and-loopback`` (the local stack: also ``http://`` and ``https://`` on this machine, so a
subscriber can be tried by hand).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from oms.config import require, settings

require("WEBHOOK_TARGETS", by=__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class TargetRefused(Exception):
    """The URL may not be called: its form, its scheme or where it leads."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str
    latency_ms: int


def _system_resolver(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def _allows_loopback() -> bool:
    return bool(settings().webhook_targets == "public-and-loopback")


def _allowed(address: Address, loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return loopback
    return address.is_global and not address.is_multicast


def check_form(url: str) -> tuple[str, str, int, str]:
    """The URL's scheme, host, port and path, or :class:`TargetRefused` for what no target may be."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused("The URL is not a valid URL.") from error
    if parts.scheme not in ("https", "http"):
        raise TargetRefused("The URL must be https://.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("The URL may not carry a user name or password.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.fragment:
        raise TargetRefused("The URL may not have a fragment.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str, resolver: Resolver = _system_resolver) -> Target:
    """The checked target of ``url`` now: every address its host resolves to must be allowed."""
    scheme, host, port, path = check_form(url)
    loopback = _allows_loopback()
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolver(host, port)]
        except (OSError, UnicodeError) as error:
            raise TargetRefused(f"The host {host} does not resolve.") from error
    if not addresses:
        raise TargetRefused(f"The host {host} does not resolve.")
    refused = [str(a) for a in addresses if not _allowed(a, loopback)]
    if refused:
        raise TargetRefused(f"The host {host} leads to an address that is not public ({refused[0]}).")
    if scheme != "https" and not (loopback and all(a.is_loopback for a in addresses)):
        raise TargetRefused("The URL must be https://.")
    return Target(scheme, host, port, path, str(addresses[0]))


def check_at_subscription(url: str) -> None:
    """Refuse at once what is refused for certain: the URL's form, and a host that is an address not
    allowed. A name is not looked up here (an API call never waits on DNS); it is checked at each attempt."""
    scheme, host, _, _ = check_form(url)
    loopback = _allows_loopback()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if scheme != "https" and not loopback:
            raise TargetRefused("The URL must be https://.") from None
        return
    if not _allowed(address, loopback):
        raise TargetRefused(f"The host {host} is not a public address.")
    if scheme != "https" and not address.is_loopback:
        raise TargetRefused("The URL must be https://.")


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the checked address, with the URL's host name for SNI and certificate checks."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            socket.create_connection((self._address, self.port), self.timeout), server_hostname=self.host
        )


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(target: Target, body: str, headers: dict[str, str], timeout: float, excerpt_chars: int) -> Answer:
    """POST ``body``; an answer of any status, or ``OSError`` (refused, reset, timed out)."""
    connection: Any = (_PinnedHTTPS if target.scheme == "https" else _PinnedHTTP)(target, timeout)
    started = time.perf_counter()
    try:
        connection.request("POST", target.path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        text = response.read(excerpt_chars * 4).decode("utf-8", "replace")[:excerpt_chars]
    except http.client.HTTPException as error:
        raise OSError(f"bad answer: {error!r}") from error
    finally:
        connection.close()
    return Answer(response.status, text, round((time.perf_counter() - started) * 1000))
