"""``telegram_broadcast``: one post (a photo and two buttons) to 1,000 groups through the Telegram
adapter, over aiogram's HTTP client, against the Telegram emulator in a process of its own.

The emulator enforces Telegram's flood limits scaled by `scale` (30/s x 3 = 90/s for the bot;
the groups' 20/min do not bind, one post each). The bound counts a window's posts as leaving at
once, but pushing them costs CPU (aiogram's client ~0.8 ms a request here), and the sender
counts each post from when it really leaves: the larger the scale, the larger a window and the
share of the run its spread takes (measured: x10 ~1.06-1.08, x5 ~1.05-1.06, x3 ~1.03; at
Telegram's real 30/s a window is 30 posts). Sending N posts cannot take less than
``(ceil(N / count) - 1)`` seconds; the benchmark prints the time from the first delivered post to
the last as a ratio of that bound (target <= 1.05), the emulator's count of 429s for broken
limits (target 0), how often the photo was uploaded (once, then reused by file_id), and the
CPU the bot's process spent per post: in total, and beyond what the same broadcast costs through
a null adapter (core: dispatcher, outbox, sender) under the same limits, which is the adapter's
own cost (rendering, aiogram, HTTP).

    python -m benchmarks.telegram_broadcast [--groups 1000] [--scale 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from benchmarks._pipeline import NullAdapter
from benchmarks._pipeline import build as build_null
from qunzhu.core import ChatKind, ChatRef, Context, Message, UserRef, command, hookimpl
from qunzhu.core.app import AdapterModels, App
from qunzhu.core.config import load_config
from qunzhu.core.delivery._ratelimit import Limit, Limits
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.plugins import PluginSet, load_plugins

TOKEN = "123456:BENCH"


class Broadcast:
    def __init__(self, platform: str, chats: Sequence[str], photo: str) -> None:
        self.targets = [ChatRef(platform, c, ChatKind.GROUP) for c in chats]
        self.photo = photo

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("broadcast")
        async def broadcast(ctx: Context) -> None:
            post = Reply("鮰鱼 2,000,000 斤 今日特价 <每斤 18 元> & 包邮", photo=self.photo)
            post = post.with_buttons(
                [
                    Button("我要订购", data="promo:order:1"),
                    Button("联系卖家", url="https://example.org"),
                ]
            )
            for chat in self.targets:
                await ctx.send(post, chat=chat, batch="tg-broadcast")

        return [broadcast]


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3)
    return b"\xff\xd8" + app0 + sof + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01" + b"\xff\xd9"


def control(base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base}/control/{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())["result"]


def start_emulator(scale: float) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, "-m", "qunzhu.adapters.telegram.emulator", "--port", str(port),
            "--token", TOKEN, "--scale", str(scale), "--empty"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            control(base, "state")
            return proc, base
        except OSError:
            time.sleep(0.05)
    proc.kill()
    msg = "the emulator did not start"
    raise RuntimeError(msg)


async def telegram_run(base: str, workdir: Path, groups: int, scale: float) -> dict[str, Any]:
    admin = control(base, "users", {"first_name": "Admin"})
    dm = control(base, "chats", {"type": "private", "user_id": admin["id"]})
    chats = [str(control(base, "chats", {"type": "supergroup", "title": f"Buyers {i}"})["id"])
             for i in range(groups)]  # fmt: skip
    photo = workdir / "catfish.jpg"
    photo.write_bytes(jpeg(1600, 1200))
    config = {
        "database": {"url": f"sqlite+aiosqlite:///{workdir / 'tg.db'}"},
        "adapters": {"telegram": {"token": TOKEN, "api_base": base, "poll_timeout": 1,
                                  "command_menu": False, "limits": {"scale": scale}}},
        "logging": {"level": "WARNING"},
    }  # fmt: skip
    path = workdir / "tg.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    broadcast = ("broadcast", Broadcast("telegram", chats, str(photo)))
    plugins = PluginSet.collect(load_plugins([broadcast], entry_points_enabled=False))
    models = plugins.section_models()
    settings = load_config(path, plugin_models=models, adapter_models=AdapterModels())
    app = App.build(settings, plugins)
    await app.start(create_tables=True)
    sender = app.senders["telegram"]
    cpu = time.process_time()
    control(base, "say", {"user_id": admin["id"], "chat_id": dm["id"], "text": "/broadcast"})
    while sender.sent < groups:
        await asyncio.sleep(0.05)
    cpu = time.process_time() - cpu
    uploads = app.adapters["telegram"].uploads.uploaded  # type: ignore[attr-defined]
    await app.stop()
    calls = [c for c in control(base, "calls") if c["method"] == "sendPhoto" and c["status"] == 200]
    return {
        "elapsed": calls[-1]["at"] - calls[0]["at"],
        "violations": len(control(base, "violations")),
        "cpu": cpu,
        "uploads": uploads,
        "delivered": control(base, "counts")["total"],
    }


async def null_run(groups: int, scale: float) -> float:
    """CPU seconds of the same broadcast through an adapter that sends nothing."""
    limits = Limits(total=Limit(round(30 * scale), 1.0),
                    per_chat={ChatKind.GROUP: Limit(round(20 * scale), 60.0)})  # fmt: skip
    adapter = NullAdapter(limits=limits)
    adapter.expect = groups
    chats = [f"group{i}" for i in range(groups)]
    app, _ = await build_null(None, adapter, [("broadcast", Broadcast("bench", chats, "p.jpg"))])
    cpu = time.process_time()
    await app.inbox.intake("bench")(
        Message("go", ChatRef("bench", "admin", ChatKind.DIRECT), UserRef("bench", "admin"),
                "/broadcast"))  # fmt: skip
    await adapter.done.wait()
    await app.settle()
    cpu = time.process_time() - cpu
    await app.stop()
    return cpu


async def main(groups: int, scale: float) -> None:
    proc, base = start_emulator(scale)
    try:
        with tempfile.TemporaryDirectory(prefix="qunzhu-tg-bench-") as folder:
            tg = await telegram_run(base, Path(folder), groups, scale)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    core_cpu = await null_run(groups, scale)
    count = round(30 * scale)
    bound = (math.ceil(groups / count) - 1) * 1.0
    per_post = tg["cpu"] / groups * 1000
    core = core_cpu / groups * 1000
    print(
        f"telegram_broadcast: 1 post (photo + 2 buttons) to {groups:,} groups, emulator limits "
        f"x{scale:g} ({count}/s for the bot)"
    )
    ratio = f"{tg['elapsed'] / bound:.3f}" if bound else "n/a (fewer posts than one second's)"
    print(
        f"  elapsed {tg['elapsed']:.3f} s from first to last delivery, bound {bound:.3f} s: "
        f"ratio {ratio} (target <= 1.05)"
    )
    print(
        f"  limit violations (429s): {tg['violations']} (target 0); delivered {tg['delivered']}; "
        f"photo uploads: {tg['uploads']}"
    )
    print(
        f"  bot process CPU per post: {per_post:.3f} ms; the same broadcast through a null "
        f"adapter: {core:.3f} ms; the Telegram adapter's own cost: {per_post - core:.3f} ms/post"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=3.0)
    args = parser.parse_args()
    asyncio.run(main(args.groups, args.scale))
