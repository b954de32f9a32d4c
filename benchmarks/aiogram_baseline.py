"""aiogram 3 baseline for the ``dispatch`` benchmark.

qunzhu's durable pipeline (adapter → SQL inbox → dispatcher → plugin → SQL outbox) is compared
with aiogram 3's own in-process path, ``Dispatcher.feed_update``, doing the equivalent work:

* one ``Router`` with one message handler, filtered by ``F.text.contains(keyword)``;
* the handler appends a row (a ``dict``) to an in-memory list and replies with
  ``await message.answer("已收到")``.

Note on threads: aiogram runs every *synchronous* filter or handler through
``asyncio.to_thread`` (``aiogram/dispatcher/event/handler.py``, ``CallableObject.call``), and a
magic filter (``F...``) is synchronous. So the idiomatic ``F.text.contains`` filter costs a
hop to the default thread pool on every update. This module starts no threads itself; pass
``magic_filter=False`` to use an ``async`` ``Filter`` subclass instead, which stays on the
event loop (the faster, more conservative baseline).

What this baseline does *not* include, on purpose, so read the ratio with it in mind:

* **No storage.** aiogram has no persistence layer for messages; the "row" is a dict appended
  to a Python list. Nothing is durable, nothing survives a crash, there is no inbox or outbox.
  (The dispatcher's default FSM middleware with its ``MemoryStorage`` is left as aiogram ships
  it.)
* **No network.** The bot uses :class:`CannedSession`, a ``BaseSession`` subclass whose
  ``make_request`` returns a pre-built ``Message`` at once, modelled on aiogram's own test
  helper (``tests/mocked_bot.py``). The request is neither serialised nor sent.
* **No polling / webhook.** Updates are built up front, bound to the bot (so ``feed_update``
  does not re-validate them through a JSON round trip), and fed one by one with
  ``await dp.feed_update(bot, update)`` on a single event loop (no threads of our own; see
  the note above on aiogram's).

Run it directly for a one-line summary::

    python -m benchmarks.aiogram_baseline [n] [--async-filter]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

WARMUP = 500
CHATS = 100
USERS = 1_000
REPLY = "已收到"

# Chinese group-chat lines; a keyword is spliced into some of them.
_TEXTS = (
    "今天下午三点开会，大家记得准时到",
    "这批货明天上午能发出吗",
    "收到，谢谢老板",
    "报表已经发到群文件里了，请查收",
    "客户说价格还能再谈谈",
    "周末值班表更新了，有问题私聊我",
    "快递单号发一下，我去查查物流",
    "新同事下周一入职，请大家多关照",
    "这个方案我觉得还需要再改改",
    "明天下雨，外勤的同事注意安全",
)


@dataclass(frozen=True)
class Result:
    name: str
    messages: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted, non-empty list."""
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _make_session(bot_user: dict[str, Any]) -> Any:
    """A ``BaseSession`` that answers every request with one canned ``Message`` (no HTTP)."""
    from aiogram.client.session.base import BaseSession
    from aiogram.types import Message

    canned = Message.model_validate(
        {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": -1001000000000, "type": "supergroup", "title": "bench"},
            "from": bot_user,
            "text": REPLY,
        }
    )

    class CannedSession(BaseSession):
        def __init__(self) -> None:
            super().__init__()
            self.sent = 0

        async def close(self) -> None:
            return None

        async def make_request(self, bot: Any, method: Any, timeout: int | None = None) -> Any:
            self.sent += 1
            return canned

        async def stream_content(  # pragma: no cover - never called
            self,
            url: str,
            headers: dict[str, Any] | None = None,
            timeout: int = 30,
            chunk_size: int = 65536,
            raise_for_status: bool = True,
        ) -> AsyncGenerator[bytes, None]:
            yield b""

    return CannedSession()


def _build_updates(
    bot: Any, count: int, *, first_id: int, keyword: str, match_ratio: float, seed: int
) -> list[Any]:
    """``count`` group-chat updates; ``round(count * match_ratio)`` of them get the keyword."""
    from aiogram.types import Update

    rng = random.Random(seed)
    matching = round(count * match_ratio)
    flags = [i < matching for i in range(count)]
    rng.shuffle(flags)
    updates = []
    for i, hit in enumerate(flags):
        chat_no = rng.randrange(CHATS)
        user_id = 10_000 + rng.randrange(USERS)
        text = rng.choice(_TEXTS)
        if hit:
            cut = rng.randrange(len(text) + 1)
            text = f"{text[:cut]}{keyword}{text[cut:]}"
        raw = {
            "update_id": first_id + i,
            "message": {
                "message_id": first_id + i,
                "date": 1_700_000_000 + i,
                "chat": {
                    "id": -1001000000000 - chat_no,
                    "type": "supergroup",
                    "title": f"工作群 {chat_no}",
                },
                "from": {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}"},
                "text": text,
            },
        }
        # Bound to the bot, as aiogram's polling does, so feed_update skips its re-validation.
        updates.append(Update.model_validate(raw, context={"bot": bot}))
    return updates


async def run_aiogram(
    n: int = 20_000, *, keyword: str = "垃圾", match_ratio: float = 0.5, magic_filter: bool = True
) -> Result:
    """Feed ``n`` updates through ``Dispatcher.feed_update`` (after ``WARMUP`` uncounted ones).

    ``magic_filter=True`` filters with ``F.text.contains(keyword)`` (run by aiogram in a worker
    thread); ``False`` uses an equivalent ``async`` ``Filter`` that stays on the event loop.
    """
    import aiogram
    from aiogram import Bot, Dispatcher, F, Router
    from aiogram.filters import Filter
    from aiogram.types import Message

    class KeywordFilter(Filter):
        async def __call__(self, message: Message) -> bool:
            return message.text is not None and keyword in message.text

    if n <= 0:
        raise ValueError("n must be positive")
    bot_user = {"id": 42, "is_bot": True, "first_name": "qunzhu-bench", "username": "bench_bot"}
    session = _make_session(bot_user)
    bot = Bot("42:BENCHMARK", session=session)

    rows: list[dict[str, Any]] = []
    router = Router(name="bench")

    @router.message(F.text.contains(keyword) if magic_filter else KeywordFilter())
    async def on_keyword(message: Message) -> None:
        rows.append(
            {
                "chat_id": message.chat.id,
                "message_id": message.message_id,
                "user_id": message.from_user.id if message.from_user else None,
                "text": message.text,
                "at": message.date,
            }
        )
        await message.answer(REPLY)

    dp = Dispatcher()
    dp.include_router(router)

    warmup = _build_updates(
        bot, WARMUP, first_id=1, keyword=keyword, match_ratio=match_ratio, seed=1
    )
    updates = _build_updates(
        bot, n, first_id=WARMUP + 1, keyword=keyword, match_ratio=match_ratio, seed=2
    )

    for update in warmup:
        await dp.feed_update(bot, update)
    rows.clear()
    session.sent = 0

    latencies = [0.0] * n
    clock = time.perf_counter
    start = clock()
    for i, update in enumerate(updates):
        t0 = clock()
        await dp.feed_update(bot, update)
        latencies[i] = clock() - t0
    seconds = clock() - start
    await bot.session.close()

    expected = sum(1 for update in updates if keyword in update.message.text)
    if len(rows) != expected or session.sent != expected:
        raise RuntimeError(
            f"aiogram baseline handled {len(rows)} rows / {session.sent} replies, "
            f"expected {expected}"
        )

    latencies.sort()
    return Result(
        name=f"aiogram {aiogram.__version__} feed_update"
        + ("" if magic_filter else " (async filter)"),
        messages=n,
        seconds=seconds,
        per_second=n / seconds,
        p50_ms=_percentile(latencies, 50) * 1000,
        p99_ms=_percentile(latencies, 99) * 1000,
    )


def format_result(result: Result) -> str:
    return (
        f"{result.name}: {result.per_second:,.0f} msgs/s  p50 {result.p50_ms:.3f} ms  "
        f"p99 {result.p99_ms:.3f} ms  (n={result.messages})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="aiogram 3 Dispatcher.feed_update baseline")
    parser.add_argument("n", nargs="?", type=int, default=20_000, help="updates to time")
    parser.add_argument(
        "--async-filter",
        action="store_true",
        help="filter with an async Filter instead of F.text.contains (no thread hop)",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(run_aiogram(args.n, magic_filter=not args.async_filter))
    print(format_result(result))


if __name__ == "__main__":
    main()
