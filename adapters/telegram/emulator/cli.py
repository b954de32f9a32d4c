"""The command line. Run the emulator from a shell:

    python -m qunzhu.adapters.telegram.emulator --port 8081 --token 123456:TEST \\
        --bot-username qunzhu_bot [--scale 10]

then point the bot at ``http://127.0.0.1:8081`` and open that address in a browser to chat with it.
`serve` and `main` are what the ``qunzhu`` command line calls.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence

from .emulator import TelegramEmulator
from .limits import Limits

__all__ = ["main", "serve"]

log = logging.getLogger("qunzhu.telegram.emulator")


async def serve(
    *,
    port: int = 8081,
    token: str = "123456:TEST",
    bot_username: str = "qunzhu_bot",
    scale: float = 1.0,
    privacy_mode: bool = False,
    demo: bool = True,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until `stop` is set (or forever). With `demo`, the world starts with two people
    (Ana, Bo), a private chat with Ana and a supergroup "Residents"."""
    emulator = TelegramEmulator(
        token,
        bot_username=bot_username,
        port=port,
        limits=Limits(scale=scale),
        privacy_mode=privacy_mode,
    )
    if demo:
        ana = emulator.user("Ana", username="ana", language_code="zh-hans")
        bo = emulator.user("Bo", language_code="en")
        emulator.private(ana)
        emulator.group("Residents", members=[ana, bo])
    async with emulator:
        log.warning(
            "event=emulator_started api=%s page=%s/ bot=@%s",
            emulator.api_base,
            emulator.api_base,
            bot_username,
        )
        await (stop or asyncio.Event()).wait()


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: parse `argv` and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m qunzhu.adapters.telegram.emulator",
        description="A Telegram Bot API emulator on 127.0.0.1, with a demo page at /.",
    )
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--bot-username", default="qunzhu_bot")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the flood limits")
    parser.add_argument("--privacy-mode", action="store_true", help="groups: commands only")
    parser.add_argument("--empty", action="store_true", help="no demo users and chats")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                port=args.port,
                token=args.token,
                bot_username=args.bot_username,
                scale=args.scale,
                privacy_mode=args.privacy_mode,
                demo=not args.empty,
            )
        )
    return 0
