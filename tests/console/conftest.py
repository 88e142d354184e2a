"""Fixtures of the console's browser suite: the local stack on moto and a headless Chromium.

The browser is Debian's Chromium (``/usr/bin/chromium``, installed by ``make test`` when missing) driven by
Playwright; without a Chromium the browser tests are skipped, not failed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oms_local.testing import StackClient, Worlds

ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
VIEWPORT = {"width": 1280, "height": 800}
# How long the browser waits for the console to show something: as long as API Gateway lets a request
# run (its 29 s integration timeout). A page's first requests can each meet a cold start, a few seconds in
# Lambda and longer on a loaded machine; a shorter wait would fail on the host's speed, not the console's.
WAIT_MS = 30_000


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def console_stack(local_worlds: Worlds) -> StackClient:
    """One engine is enough for the browser: the moto world, emptied."""
    world = local_worlds.get("moto")
    world.reset()
    return world


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium found (make test installs Debian's chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


class Shots:
    """Screenshots as test artefacts; ``CONSOLE_DOCS_SCREENSHOTS=1`` also refreshes docs/console/*.png."""

    def __init__(self, page: Any) -> None:
        self.page = page
        ARTIFACTS.mkdir(exist_ok=True)

    def take(self, name: str, *, docs: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)
        if docs and os.environ.get("CONSOLE_DOCS_SCREENSHOTS") == "1":
            DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SHOTS / f"{name}.png")
        return path


@pytest.fixture
def page(browser: Any, console_stack: StackClient) -> Iterator[Any]:
    """A fresh browser tab (empty storage) in English; uncaught script errors fail the test."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Shanghai")
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
    assert not errors, f"script errors in the console: {errors}"


@pytest.fixture
def shots(page: Any) -> Shots:
    return Shots(page)
