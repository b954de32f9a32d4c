"""Crash safety on DingTalk, with a real process (issue 18, item 4): 200 @-messages pushed over
the Stream connection, the bot killed (SIGKILL) while it receives, records, acknowledges and
answers them, a restart. Every message is handled exactly once (one row), every one is
answered, and in the end every frame is acknowledged.

A frame is acknowledged only after the inbox recorded it. The frames the killed bot had not
acknowledged (never read, read but not recorded, or recorded but not yet acknowledged) are
pushed again by the platform on the next connection (the emulator does as DingTalk's "消息重试"
says); those already recorded are dropped by the inbox as duplicates."""

from __future__ import annotations

import asyncio
import collections
import json
import signal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.adapters.dingtalk.emulator import DingtalkEmulator
from tests.support.bot_process import assert_each_handled_once, start_bot, wait_for

MESSAGES = 200

pytestmark = pytest.mark.slow


def _recorded(db: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        found = {r[0] for r in conn.execute(text("SELECT event_id FROM core_inbox"))}
    engine.dispose()
    return found


async def test_sigkill_between_receiving_and_acknowledging_loses_nothing_and_handles_nothing_twice(
    tmp_path: Path,
) -> None:
    db = tmp_path / "crash.db"
    config = tmp_path / "bot.yaml"
    async with DingtalkEmulator() as emu:
        people = [emu.person(f"u{i}", f"U{i}") for i in range(10)]
        groups = [emu.group(f"cid{i}==", f"G{i}", *people) for i in range(5)]
        config.write_text(
            f"database:\n  url: sqlite+aiosqlite:///{db}\n"
            "adapters:\n  dingtalk:\n"
            f"    client_id: {emu.client_id}\n    client_secret: {emu.client_secret}\n"
            f"    name: {emu.name}\n    api_url: {emu.api_url}\n"
            "    max_backoff: 0.2\n    request_timeout: 3\n    limits: {scale: 1000}\n"
            "logging:\n  level: WARNING\n",
            encoding="utf-8",
        )
        first = await start_bot(config, "tests.crash.dingtalk_bot")
        await emu.connected()
        # the first 30 frames' acknowledgements never arrive: as if the bot had died after
        # recording each one and before acknowledging it
        emu.lose_acks = True
        for i in range(MESSAGES):
            if i == 30:
                await wait_for(lambda: len(emu.sent) >= 30, 60)
                emu.lose_acks = False
            frame = await emu.say(people[i % 10], f"msg {i}", group=groups[i % 5])
            assert frame is not None
        await wait_for(lambda: len(emu.sent) >= 40, 60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        killed_at = len(emu.sent)
        assert killed_at < MESSAGES, "the bot answered everything before it could be killed"
        unacked = {json.loads(f["data"])["msgId"] for f in emu.unacked.values()}
        recorded_unacked = unacked & _recorded(db)
        assert len(recorded_unacked) >= 30, "no frame was recorded and not acknowledged"
        assert unacked - recorded_unacked, "no frame was left unread by the killed bot"

        second = await start_bot(config, "tests.crash.dingtalk_bot")
        expected = {f"ok msg {i}" for i in range(MESSAGES)}
        await wait_for(lambda: expected <= {s.text for s in emu.sent}, 120)
        await wait_for(lambda: not emu.unacked, 30)
        await asyncio.sleep(0.5)  # anything answered twice would arrive now
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
        answers = collections.Counter(s.text for s in emu.sent)

    assert_each_handled_once(db, (f"msg {i}" for i in range(MESSAGES)))
    # an answer in flight when the process died may be sent again (a session webhook is not
    # idempotent): at most one per chat, the sender's one message in flight there
    twice = [t for t, n in answers.items() if n > 1]
    assert len(twice) <= len(groups), twice
    print(
        f"killed after {killed_at} answers; unacknowledged: {len(unacked)}, of which recorded: "
        f"{len(recorded_unacked)}; answered twice: {len(twice)}"
    )
