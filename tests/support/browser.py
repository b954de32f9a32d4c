"""A real browser for the web console's tests: Debian's chromium driven by Playwright (never a
downloaded browser: intranets and CI have Debian's, which ``.ci/run`` installs), a phone's
screen, Chinese fonts from the Noto Sans CJK qunzhu depends on, and the folder screenshots go
to ($QUNZHU_SCREENSHOTS, or a temporary one named in the output).

``tests/conftest.py`` loads it as a plugin, so every test may ask for ``chromium`` and
``shots``; a test module that does marks itself with `NEEDS_CHROMIUM`."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness

__all__ = ["CHROMIUM", "NEEDS_CHROMIUM", "PHONE", "chromium", "local", "shots"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
#: Marks a test module that needs the browser: slow, skipped (saying why) without chromium.
NEEDS_CHROMIUM = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
    ),
]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("QUNZHU_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


def _fonts(tmp_path: Path) -> dict[str, str]:
    """A machine without Chinese fonts (CI's) would draw the screenshots' characters as boxes:
    chromium is pointed at the Noto Sans CJK that qunzhu already depends on for its charts."""
    from noto_cjk_sans_otc import FONT_PATH

    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(FONT_PATH).parent}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture
async def chromium(tmp_path: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, headless=True, env=_fonts(tmp_path)
        )
        try:
            yield browser
        finally:
            await browser.close()


def local(bot: BotHarness, link: str) -> str:
    """A ``/web`` link (made with ``web.public_url``) on the bot's real address."""
    return f"http://127.0.0.1:{bot.app.web.port}" + link[link.index("/web/") :]
