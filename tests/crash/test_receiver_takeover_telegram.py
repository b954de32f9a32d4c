"""Three workers on one PostgreSQL and one Telegram bot (the Bot API emulator), the same config run
three times as `--workers 3` starts it: exactly one worker calls getUpdates (the elected
receiver); it is killed (SIGKILL) mid-stream, another takes over within seconds from the offset
the inbox stored, and every message is handled once and answered once (issue 19, items 1-2).

The stream carries the edges too, each straddling the kill so that the worker that learnt
something is not the one that must act on it: a basic group upgraded to a supergroup before the
kill and spoken to in the supergroup after it (one chat in the core, under the old id), and the
bot removed from a group before the kill, added back and spoken to at once after it (answered,
though another worker's sender saw the removal)."""

from __future__ import annotations

import asyncio
import collections
import signal
from pathlib import Path

import pytest

from qunzhu.adapters.telegram.emulator import Chat, Limits, TelegramEmulator
from tests.conftest import create_pg_database, drop_pg_database
from tests.crash.test_workers import _read
from tests.support.bot_process import start_workers, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TOKEN = "123456:TEST"
MESSAGES = 400
ELECTED = "event=receiver_elected key=telegram:"


async def test_the_telegram_poller_dies_and_another_worker_takes_over(tmp_path: Path) -> None:
    url = await create_pg_database()
    tg = TelegramEmulator(TOKEN, bot_username="qunzhu_bot", limits=Limits(scale=1000))
    await tg.start()
    people = [tg.user(f"P{i}") for i in range(20)]
    groups = [tg.group(f"Village {i}", members=people) for i in range(20)]
    basic = tg.group("Township", members=people[:3], supergroup=False)
    kicked = tg.group("Residents", members=people[:3])
    config = tmp_path / "worker.yaml"
    config.write_text(
        f"database:\n  url: {url}\n  auto_upgrade: true\n"
        "dispatcher:\n  shared: true\n  batch_size: 20\n  poll_interval: 0.05\n"
        f"adapters:\n  telegram:\n    token: '{TOKEN}'\n    api_base: {tg.api_base}\n"
        "    poll_timeout: 1\n    limits: {scale: 1000}\n"
        "logging:\n  level: INFO\n",
        encoding="utf-8",
    )
    expected: list[str] = []

    def say(chat: object, text: str, n: int = 0) -> None:
        tg.say(people[n % 3], chat, text)  # type: ignore[arg-type]
        expected.append(text)

    def chats() -> list[Chat]:
        upgraded = [tg.chat(basic.migrated_to)] if basic.migrated_to else []
        return [*groups, basic, kicked, *upgraded]

    def answered() -> collections.Counter[str]:
        return collections.Counter(m["text"] for c in chats() for m in tg.sent(c))

    workers: list[asyncio.subprocess.Process] = []
    logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
    try:
        workers += await start_workers(config, 3)

        def receivers() -> list[int]:
            return [n for n, log in enumerate(logs) if ELECTED in log.read_text()]

        await wait_for(lambda: len(receivers()) == 1, 30)
        [first] = receivers()
        for i in range(MESSAGES // 2):
            say(groups[i % 20], f"msg {i}", i)
        new_id = tg.migrate(basic)  # learnt by the first receiver
        say(new_id, "upgraded 1")
        tg.kick_bot(kicked, by=people[0])
        await wait_for(lambda: sum(answered().values()) >= MESSAGES // 4, 60)
        await wait_for(lambda: answered()["ok upgraded 1"] == 1, 30)
        # Frozen first, then killed: a request the worker had written before the kill is read by
        # the emulator (this loop) only when the loop comes to it, after `killed_at` if the
        # kill came first, and its copy would look sent by a live worker. Frozen, the worker
        # writes nothing more; what it had written is read while it is frozen.
        workers[first].send_signal(signal.SIGSTOP)
        await asyncio.sleep(0.5)
        killed_at = asyncio.get_running_loop().time()
        workers[first].send_signal(signal.SIGKILL)  # mid-stream, no goodbye
        killed_sender = "event=sender_elected" in logs[first].read_text()
        for i in range(MESSAGES // 2, MESSAGES):
            say(groups[i % 20], f"msg {i}", i)
        say(new_id, "upgraded 2")
        tg.add_bot(kicked, by=people[0])
        say(kicked, "added back")
        await wait_for(lambda: len(receivers()) == 2, 30)
        takeover = asyncio.get_running_loop().time() - killed_at
        want = collections.Counter(f"ok {t}" for t in expected)
        try:
            await wait_for(lambda: +(want - answered()) == collections.Counter(), 60)
        except BaseException:
            print("missing:", sorted(want - answered()))  # noqa: T201
            raise
        await asyncio.sleep(1.0)  # late duplicates would arrive now
    finally:
        for proc in workers:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in workers:
            await asyncio.wait_for(proc.wait(), 30)
        await tg.stop()
    try:
        rows, _ = await _read(url)
    finally:
        await drop_pg_database(url)
    print(f"\ntelegram receiver takeover after the kill: {takeover:.2f} s")  # noqa: T201
    assert takeover < 15
    conflicts = [n for n, log in enumerate(logs) if "event=poll_conflict" in log.read_text()]
    assert conflicts == [], "a worker that does not receive called getUpdates (409 Conflict)"
    texts = collections.Counter(t for _, t, _, _ in rows)
    assert set(texts) == set(expected), "a message was lost"
    assert max(texts.values()) == 1, "a message was handled twice"
    assert {c for _, t, c, _ in rows if t.startswith("upgraded")} == {str(basic.id)}
    answers = answered()
    assert set(answers) == {f"ok {t}" for t in expected}, "an answer was lost"
    twice = {t for t, n in answers.items() if n > 1}
    print(f"answered twice: {len(twice)} (the killed worker led the sender: {killed_sender})")  # noqa: T201
    # Telegram has no idempotent send: what the killed worker's sender had posted but not yet
    # recorded as sent is posted again by the next one (adapters/telegram/send.py). Only that:
    # the first copy of every answer sent twice left before the kill.
    assert max(answers.values()) <= 2
    assert not twice or killed_sender, "sent twice though the sender did not die"
    late = sorted(
        t for t, at in _first_sent_at(tg, chats()).items() if t in twice and at > killed_at
    )
    assert not late, f"sent twice, not because the sender died: {late}"


def _first_sent_at(tg: TelegramEmulator, chats: list[Chat]) -> dict[str, float]:
    """When each text the bot posted in `chats` was first posted (the emulator's clock, the
    test loop's: both monotonic). A chat's successful sendMessage calls and its messages from
    the bot come in the same order."""
    first: dict[str, float] = {}
    for chat in chats:
        calls = [c for c in tg.calls if c.method == "sendMessage" and c.chat_id == chat.id]
        ok = [c.at for c in calls if c.status == 200]
        assert len(ok) == len(tg.sent(chat))
        for message, at in zip(tg.sent(chat), ok, strict=True):
            first.setdefault(message["text"], at)
    return first
