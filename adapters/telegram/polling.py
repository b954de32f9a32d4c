"""Long polling: getUpdates driven by hand, never aiogram's ``start_polling`` (which confirms an
update to Telegram before its handlers have run: aiogram issue #1397).

The offset lives in the inbox's cursor. Each round asks for updates from the stored offset, hands
the events to the inbox with the new offset in the same commit, and only then asks again, so the
next getUpdates confirms to Telegram only what is recorded: a crash neither skips nor repeats an
update (an update fetched twice is dropped by the inbox under its natural key).

Network errors, timeouts and Telegram's 5xx are retried with a growing pause (0.5 s to 30 s);
409 Conflict means another process polls with the same token (or a webhook was set meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram import types as tg
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates

from qunzhu.core.adapter import EventSink

from .receive import Receiver

__all__ = ["Poller"]

log = logging.getLogger("qunzhu.adapters.telegram")
_MAX_PAUSE = 30.0


class Poller:
    def __init__(
        self,
        bot: Bot,
        receiver: Receiver,
        sink: EventSink,
        *,
        timeout: int,
        allowed_updates: list[str],
        answer: Callable[[list[str]], Awaitable[None] | None],
    ) -> None:
        self.bot = bot
        self.receiver = receiver
        self.sink = sink
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self.answer = answer
        self.rounds = 0
        self._failures = 0
        self._rng = random.Random()

    async def subscribe(self) -> None:
        """Tell Telegram now which updates to keep for the bot (`allowed_updates` takes effect
        with a getUpdates call), so that a reaction right after start-up is not dropped. The
        offset is the stored one: nothing unrecorded is confirmed."""
        offset = int(await self.sink.cursor() or 0)
        method = GetUpdates(
            offset=offset or None, limit=1, timeout=0, allowed_updates=self.allowed_updates
        )
        try:
            await self.bot(method, request_timeout=15)
        except Exception as exc:  # the loop reports and retries
            log.warning("event=subscribe_failed error=%s", exc)

    async def run(self) -> None:
        offset = int(await self.sink.cursor() or 0)  # Telegram's update ids start above 0
        while True:
            updates = await self._fetch(offset, self.timeout)
            if updates is None:
                continue
            fresh = [u for u in updates if u.update_id >= offset]
            try:
                received = await self.receiver.convert(fresh)
                if fresh:
                    cursor = fresh[-1].update_id + 1
                    await self.sink.submit(received.events, cursor=str(cursor))
                    offset = cursor
            except Exception:  # the database: nothing moved, so the same updates come again
                log.exception("event=poll_record_failed offset=%s", offset)
                await self._pause()
                continue
            if received.callbacks:
                await _maybe(self.answer(received.callbacks))
            self.rounds += 1

    async def _fetch(self, offset: int, timeout: int) -> list[tg.Update] | None:
        """One getUpdates; None after a failure (and the pause it calls for)."""
        method = GetUpdates(
            offset=offset or None, timeout=timeout, allowed_updates=self.allowed_updates
        )
        try:
            updates = await self.bot(method, request_timeout=timeout + 15)
        except TelegramRetryAfter as exc:
            log.warning("event=poll_flood_wait seconds=%s", exc.retry_after)
            await asyncio.sleep(exc.retry_after)
            return None
        except TelegramConflictError as exc:
            log.error(
                "event=poll_conflict error=%r hint=%s",
                exc.message,
                "another process is polling with this bot's token, or a webhook is set: "
                "run one bot per token, or use mode: webhook everywhere",
            )
            await self._pause(minimum=5.0)
            return None
        except TelegramUnauthorizedError as exc:
            log.error("event=poll_unauthorized error=%r hint=the token was revoked", exc.message)
            await self._pause(minimum=30.0)
            return None
        except Exception as exc:  # network errors, timeouts, 5xx, a garbled answer
            log.warning("event=poll_failed error=%s", exc)
            await self._pause()
            return None
        self._failures = 0
        return list(updates)

    async def _pause(self, minimum: float = 0.0) -> None:
        self._failures += 1
        pause = min(0.5 * 2 ** (self._failures - 1), _MAX_PAUSE)
        pause = max(pause * (0.5 + self._rng.random() / 2), minimum)
        await asyncio.sleep(pause)


async def _maybe(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result
