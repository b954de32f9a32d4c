"""``fanout``: one message to 1,000 chats through the outbox against a rate limit.

The platform allows `count` messages per `per` seconds for the bot (Telegram: 30 per second,
scaled here so the run is short). Sending N messages cannot take less than
``(ceil(N / count) - 1) * per`` seconds; the benchmark prints the elapsed time as a ratio of
that bound (target ≤ 1.05) and counts every span of `per` seconds that held more than `count`
sends (target: 0).

    python -m benchmarks.fanout [--chats 1000] [--scale 20]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import math
import time
from collections.abc import Sequence
from typing import Any

from benchmarks._pipeline import NullAdapter, build
from qunzhu.core import ChatKind, ChatRef, Context, Message, UserRef, command, hookimpl
from qunzhu.core.delivery._outbox import progress
from qunzhu.core.delivery._ratelimit import Limit, Limits


class Broadcast:
    def __init__(self, chats: int) -> None:
        self.chats = chats

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("broadcast")
        async def broadcast(ctx: Context) -> None:
            for i in range(self.chats):
                chat = ChatRef("bench", f"group{i}", ChatKind.GROUP)
                await ctx.send("鮰鱼 2,000,000 斤 今日特价", chat=chat, batch="fanout")

        return [broadcast]


def violations(times: list[float], limit: Limit) -> int:
    """Sends that found `count` others within the `per` seconds before them."""
    times = sorted(times)
    return sum(1 for i, t in enumerate(times)
               if i - bisect.bisect_left(times, t - limit.per + 1e-9) >= limit.count)  # fmt: skip


async def main(chats: int, scale: float) -> None:
    total = Limit(30, 1.0).scaled(scale)
    adapter = NullAdapter(limits=Limits(total=total, per_chat={ChatKind.GROUP: Limit(20, 60.0)}))
    adapter.expect = chats
    app, _ = await build(None, adapter, [("fanout", Broadcast(chats))])
    started = time.perf_counter()
    await app.inbox.intake("bench")(
        Message("go", ChatRef("bench", "admin", ChatKind.DIRECT), UserRef("bench", "admin"),
                "/broadcast"))  # fmt: skip
    await adapter.done.wait()
    elapsed = time.perf_counter() - adapter.times[0]
    bound = (math.ceil(chats / total.count) - 1) * total.per
    await app.settle()
    state = await progress(app.db, "fanout")
    await app.stop()
    print(
        f"fanout: {chats:,} chats, limit {total.count} per {total.per * 1000:.1f} ms "
        f"(Telegram's 30/s x {scale:g})"
    )
    print(
        f"  elapsed {elapsed:.3f} s from first to last send, bound {bound:.3f} s: "
        f"ratio {elapsed / bound:.3f} (target <= 1.05)"
    )
    print(
        f"  limit violations: {violations(adapter.times, total)}; "
        f"progress: sent {state.sent}, pending {state.pending}, failed {state.failed}; "
        f"command to last send {time.perf_counter() - started:.3f} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=20.0)
    args = parser.parse_args()
    asyncio.run(main(args.chats, args.scale))
