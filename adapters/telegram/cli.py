"""``qunzhu telegram``: the Telegram adapter's commands, under ``qunzhu`` (entry point group
``qunzhu.cli``, so the core names no adapter).

    qunzhu telegram emulator [--port 8081] [--token …] [--bot-username …] [--scale 1.0]
                             [--privacy-mode] [--empty]

Importing this module stays cheap: the emulator (aiohttp) is imported when the command runs.
"""

from __future__ import annotations

import sys

import click

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Telegram tools."""


@main.command("emulator")
@click.option("--port", type=int, default=8081, show_default=True)
@click.option("--token", default="123456:TEST", show_default=True, help="The bot's token.")
@click.option("--bot-username", default="qunzhu_bot", show_default=True)
@click.option("--scale", type=float, default=1.0, help="Multiply Telegram's flood limits.")
@click.option("--privacy-mode", is_flag=True, help="In groups the bot sees only commands.")
@click.option("--empty", is_flag=True, help="Start without the demo people and chats.")
def emulator(
    *, port: int, token: str, bot_username: str, scale: float, privacy_mode: bool, empty: bool
) -> None:
    """Run a Telegram Bot API emulator on 127.0.0.1 until Ctrl-C: point adapters.telegram.api_base
    at http://127.0.0.1:PORT and open that address in a browser to chat with the bot."""
    from qunzhu.adapters.telegram.emulator import main as run_emulator

    argv = ["--port", str(port), "--token", token, "--bot-username", bot_username]
    argv += ["--scale", str(scale)]
    argv += ["--privacy-mode"] if privacy_mode else []
    argv += ["--empty"] if empty else []
    sys.exit(run_emulator(argv))
