"""Debian's chromium driven by Playwright, for the console's browser tests: where it is, how
it starts (headless, no network of its own), a phone's screen, the Chinese fonts qunzhu depends
on, and the folder the screenshots go to ($QUNZHU_SCREENSHOTS, else a temporary one).

Playwright never downloads a browser here (no ``playwright install``): intranets and CI have
Debian's chromium, which ``.ci/run`` installs when it is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

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


def screenshots_folder(tmp_path: Path) -> Path:
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


@asynccontextmanager
async def chromium(tmp_path: Path) -> AsyncIterator[Any]:
    """A running headless chromium (a Playwright `Browser`)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, headless=True, env=_fonts(tmp_path)
        )
        try:
            yield browser
        finally:
            await browser.close()
