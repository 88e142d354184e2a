"""No server-side request forgery: what a subscriber's URL may lead to, checked on the addresses its name
resolves to at the moment of each attempt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from oms import config
from oms.webhook_targets import TargetRefused, check_at_subscription, resolve


@pytest.fixture
def in_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("WEBHOOK_TARGETS", "public")
    config.reload()
    yield
    monkeypatch.undo()
    config.reload()


@pytest.fixture
def on_the_local_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("WEBHOOK_TARGETS", "public-and-loopback")
    config.reload()
    yield
    monkeypatch.undo()
    config.reload()


def resolving(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


@pytest.mark.usefixtures("in_aws")
@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",  # not https
        "ftp://hooks.example.com/in",
        "file:///etc/passwd",
        "gopher://hooks.example.com/",
        "https://user:pass@hooks.example.com/in",  # credentials in the URL
        "https://hooks.example.com@10.0.0.7/in",  # a public-looking name before the @, a private host after
        "https://10.0.0.7/in",
        "https://192.168.1.20/in",
        "https://172.16.3.4/in",
        "https://127.0.0.1/in",
        "https://169.254.169.254/latest/meta-data/",  # the instance metadata service
        "https://[::1]/in",
        "https://[fd00::1]/in",
        "https://[::ffff:10.0.0.7]/in",  # IPv4 mapped into IPv6
        "https://0.0.0.0/in",
        "https://100.64.0.1/in",  # carrier-grade NAT
        "https://224.0.0.1/in",  # multicast
        "https://hooks.example.com:99999/in",  # no such port
        "https:///in",
        "https://hooks.example.com/in#frag",
    ],
)
def test_in_aws_these_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        resolve(url, resolving("93.184.215.14"))


@pytest.mark.usefixtures("in_aws")
def test_in_aws_https_to_a_public_address_is_allowed_and_pinned() -> None:
    target = resolve("https://hooks.example.com:8443/in?x=1", resolving("93.184.215.14"))
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "hooks.example.com",
        8443,
        "/in?x=1",
        "93.184.215.14",
    )


@pytest.mark.usefixtures("in_aws")
@pytest.mark.parametrize("private", ["10.1.2.3", "127.0.0.1", "169.254.169.254", "::1", "fe80::1"])
def test_a_name_resolving_to_a_private_address_at_delivery_is_refused(private: str) -> None:
    # Accepted when subscribed (a name is not looked up then), refused when it leads inside at delivery.
    check_at_subscription("https://hooks.example.com/in")
    with pytest.raises(TargetRefused, match="not public"):
        resolve("https://hooks.example.com/in", resolving(private))
    # One private address among public ones is enough to refuse.
    with pytest.raises(TargetRefused):
        resolve("https://hooks.example.com/in", resolving("93.184.215.14", private))


@pytest.mark.usefixtures("in_aws")
@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.7/in",
        "http://hooks.example.com/in",
        "https://[::1]/in",
        "ftp://a.example/",
        "https://u:p@a.example/",
    ],
)
@pytest.mark.usefixtures("in_aws")
def test_at_subscription_a_certain_refusal_is_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_at_subscription(url)


@pytest.mark.usefixtures("in_aws")
def test_at_subscription_a_name_waits_for_its_attempts() -> None:
    check_at_subscription("https://not-yet.example.com/in")


@pytest.mark.usefixtures("on_the_local_stack")
def test_the_local_stack_also_allows_http_on_loopback_and_nothing_else_private() -> None:
    assert resolve("http://127.0.0.1:8765/hook", resolving()).address == "127.0.0.1"
    assert resolve("http://localhost:8765/hook", resolving("127.0.0.1", "::1")).port == 8765
    for url in ("http://10.0.0.7/in", "https://169.254.169.254/", "http://hooks.example.com/in"):
        with pytest.raises(TargetRefused):
            resolve(url, resolving("93.184.215.14"))
