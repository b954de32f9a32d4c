"""``qunzhu telegram emulator``: the emulator from the command line, as a user starts it for a
demo."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import urllib.request

from tests.adapters.telegram.test_adapter_webhook import free_port


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=2) as resp:
        return dict(json.loads(resp.read()))


async def test_qunzhu_telegram_emulator_serves_the_bot_api_and_the_demo_world() -> None:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "qunzhu.core.cli",
        "telegram",
        "emulator",
        "--port",
        str(port),
        "--bot-username",
        "demo_bot",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                me = await asyncio.to_thread(_get, f"{base}/bot123456:TEST/getMe")
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the emulator did not start")
        assert me["result"]["username"] == "demo_bot"  # type: ignore[index]
        state = await asyncio.to_thread(_get, f"{base}/control/state")
        titles = [c.get("title") for c in state["result"]["chats"]]  # type: ignore[index]
        assert "Residents" in titles
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0, err.decode()
