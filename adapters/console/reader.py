"""Lines from stdin without blocking the event loop.

A real stream is read by one daemon thread that feeds an `asyncio.Queue`, at most `READ_AHEAD`
lines ahead of the bot (so a huge piped file is not read into memory at once); its bytes are
decoded leniently, so invalid input becomes U+FFFD instead of an error. An `io.StringIO` (tests,
embedding) is read directly. The thread is a daemon: when the console stops while a terminal
waits for a line, it is left blocked and ends with the process.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import logging
import threading
from collections.abc import AsyncGenerator
from typing import TextIO

__all__ = ["READ_AHEAD", "isatty", "read_lines"]

log = logging.getLogger("qunzhu.adapters.console")
READ_AHEAD = 100


async def read_lines(stream: TextIO) -> AsyncGenerator[str, None]:
    """The lines of `stream` as they come (each with its line break, the last maybe without)."""
    if isinstance(stream, io.StringIO):
        while line := stream.readline():
            yield line
            await asyncio.sleep(0)  # let the bot run, and stop() cancel a long script
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    room = threading.Semaphore(READ_AHEAD)
    thread = threading.Thread(
        target=_read_forever, args=(stream, loop, queue, room), name="console-stdin", daemon=True
    )
    thread.start()
    while (item := await queue.get()) is not None:
        room.release()
        yield item


def isatty(stream: object) -> bool:
    """Whether `stream` is a terminal; False for anything that cannot say."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _read_forever(
    stream: TextIO,
    loop: asyncio.AbstractEventLoop,
    queue: asyncio.Queue[str | None],
    room: threading.Semaphore,
) -> None:
    """The reader thread: lines of `stream` into `queue`, then None at the end."""
    binary = getattr(stream, "buffer", None)
    encoding = _codec(getattr(stream, "encoding", None))
    try:
        while True:
            room.acquire()
            line = binary.readline().decode(encoding, "replace") if binary else stream.readline()
            if not line:
                break
            loop.call_soon_threadsafe(queue.put_nowait, line)
    except Exception:
        log.exception("event=console_read_failed")
    finally:
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(queue.put_nowait, None)


def _codec(name: str | None) -> str:
    try:
        return codecs.lookup(name or "utf-8").name
    except LookupError:
        return "utf-8"
