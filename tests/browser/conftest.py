"""Playwright on Debian's Chromium (Playwright cannot download its own browser here)."""

import os
from pathlib import Path

import pytest

from tests.conftest import needs_service

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = [
    os.environ.get("CHROMIUM_PATH", ""),
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
]


def chromium_path() -> str | None:
    return next((p for p in CHROMIUM_CANDIDATES if p and Path(p).exists()), None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        needs_service("Chromium", "install Debian's chromium (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def csp_violations(monkeypatch):
    """Fail any browser test during which the Content Security Policy refused something: an
    inline script or style that slipped into a template would otherwise only break silently."""
    from playwright.sync_api import Browser

    seen: list[str] = []
    original = Browser.new_context

    def new_context(self, *args, **kwargs):
        context = original(self, *args, **kwargs)
        context.on(
            "console",
            lambda message: (
                seen.append(f"{message.page.url if message.page else '?'}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield seen
    assert not seen, f"Content Security Policy violations: {seen}"
