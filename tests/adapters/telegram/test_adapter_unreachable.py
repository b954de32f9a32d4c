"""Start-up with Telegram unreachable: ``qunzhu run`` used to exit with "getMe ... failed" when
the Bot API could not be reached at boot, leaving the bot down; now it says so, waits with a
growing pause and starts once Telegram answers. A token Telegram refuses still stops the start
at once, in one line (issue 16, item 2)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from tests.adapters.telegram.test_adapter_webhook import free_port
from tests.support.bot_process import wait_for

TOKEN = "123456:TEST"
pytestmark = pytest.mark.slow


def _config(tmp_path: Path, api_base: str, token: str = TOKEN) -> Path:
    config = tmp_path / "qunzhu.yaml"
    config.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{tmp_path / 'bot.db'}\n"
        f"adapters:\n  telegram:\n    token: '{token}'\n    api_base: {api_base}\n"
        "    poll_timeout: 1\n",
        encoding="utf-8",
    )
    return config


async def _run(config: Path, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNZHU")}
    with log.open("w") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "qunzhu.core.cli", "run", "-c", str(config),
            env=env, cwd=config.parent, stdout=asyncio.subprocess.DEVNULL, stderr=err,
        )  # fmt: skip


async def test_start_up_waits_for_telegram_and_answers_once_it_is_up(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "bot.log"
    bot = await _run(_config(tmp_path, f"http://127.0.0.1:{port}"), log)
    tg = TelegramEmulator(TOKEN, port=port)
    try:
        await wait_for(lambda: "attempt=2" in log.read_text(), 30)
        assert bot.returncode is None, log.read_text()
        first = log.read_text().splitlines()[0]
        assert re.search(
            r"event=platform_unreachable adapter=telegram attempt=1 pause=1\.0 "
            r"error=telegram: getMe at http://127\.0\.0\.1:\d+ failed: ",
            first,
        ), first
        await tg.start()
        person = tg.user("张三")
        chat = tg.private(person)
        tg.say(person, chat, "/help whoami")
        await wait_for(lambda: tg.sent(chat), 30)
        assert "/whoami" in tg.sent(chat)[0]["text"]
        assert "event=platform_reachable adapter=telegram attempts=" in log.read_text()
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 30) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await tg.stop()
    assert "Traceback" not in log.read_text()


async def test_a_refused_token_stops_the_start_in_one_line(tmp_path: Path) -> None:
    async with TelegramEmulator(TOKEN) as tg:
        log = tmp_path / "bot.log"
        bot = await _run(_config(tmp_path, tg.api_base, token="654321:WRONG"), log)
        try:  # a loaded CI machine takes its time to import and start; never leave it behind
            code = await asyncio.wait_for(bot.wait(), 90)
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
    text = log.read_text()
    assert code == 1, text
    assert text.startswith(f"qunzhu: telegram: getMe at {tg.api_base} failed: "), text
    assert len(text.strip().splitlines()) == 1, text
    assert "platform_unreachable" not in text
