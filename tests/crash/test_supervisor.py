"""``qunzhu run --workers 2`` on PostgreSQL, as an operator starts it: two worker processes poll
the Telegram emulator through the elected receiver and answer a stream of messages; the worker
that sends is killed mid-stream (SIGKILL) and started again by the supervisor; every message is
answered, and only what the killed sender had in flight is answered twice (Telegram has no
idempotent send: at most ``outbox.max_in_flight`` replies, one per chat); SIGTERM stops everything
with exit code 0. With the web server on, worker N listens on web.port + N - 1 (issue 16, item 2;
issue 19)."""

from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from qunzhu.core.config.schema import OutboxSettings
from tests.adapters.telegram.test_adapter_webhook import free_port
from tests.conftest import create_pg_database, drop_pg_database
from tests.support.bot_process import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TOKEN = "123456:TEST"
PEOPLE = 40
ROUNDS = 5


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "qunzhu.core.cli", *args]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return str(answer.read().decode()).strip()


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("QUNZHU")}


async def test_two_workers_one_killed_and_restarted_nothing_lost_nothing_twice(
    tmp_path: Path,
) -> None:
    url = await create_pg_database()
    port = free_port()
    tg = TelegramEmulator(TOKEN)
    await tg.start()
    config = tmp_path / "qunzhu.yaml"
    config.write_text(
        f"database:\n  url: {url}\n"
        "dispatcher:\n  shared: true\n  poll_interval: 0.05\n"
        f"adapters:\n  telegram:\n    token: '{TOKEN}'\n    api_base: {tg.api_base}\n"
        "    poll_timeout: 1\n"
        f"web:\n  enabled: true\n  port: {port}\n"
        "logging:\n  level: INFO\n",
        encoding="utf-8",
    )
    log = tmp_path / "supervisor.log"
    supervisor: asyncio.subprocess.Process | None = None
    try:
        upgrade = subprocess.run(
            _cli("db", "upgrade", "-c", str(config)),
            capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120, check=False,
        )  # fmt: skip
        assert upgrade.returncode == 0, upgrade.stderr
        with log.open("w") as err:
            supervisor = await asyncio.create_subprocess_exec(
                *_cli("run", "--workers", "2", "-c", str(config)),
                env=_env(), cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=err,
            )  # fmt: skip

        def logged(pattern: str) -> list[re.Match[str]]:
            return list(re.finditer(pattern, log.read_text()))

        await wait_for(lambda: len(logged("event=worker_started")) == 2, 30)
        await wait_for(lambda: logged("event=receiver_elected key=telegram:"), 60)
        await wait_for(lambda: len(logged("event=ready ")) == 2, 60)
        await wait_for(lambda: logged("event=sender_elected"), 30)
        for each in (port, port + 1):
            assert (
                await asyncio.to_thread(_get, f"http://127.0.0.1:{each}/healthz")
                == '{"status": "ok"}'
            )
        people = [tg.user(f"居民{n}") for n in range(PEOPLE)]
        chats = [tg.private(p) for p in people]
        for person, chat in zip(people, chats, strict=True):
            tg.say(person, chat, "/help whoami")
        await wait_for(lambda: tg.delivered() >= PEOPLE // 2, 60)
        pids = {int(m["n"]): int(m["pid"]) for m in logged(r"worker=(?P<n>\d) pid=(?P<pid>\d+)")}
        victim = _victim(log.read_text())
        os.kill(pids[victim], signal.SIGKILL)  # mid-stream, no goodbye
        for _ in range(ROUNDS - 1):
            for person, chat in zip(people, chats, strict=True):
                tg.say(person, chat, "/help whoami")
        await wait_for(lambda: logged(rf"event=worker_restarted worker={victim} pid=\d+"), 30)
        await wait_for(lambda: all(len(tg.sent(c)) >= ROUNDS for c in chats), 120)
        await asyncio.sleep(1.5)  # late duplicates would arrive now
        supervisor.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(supervisor.wait(), 60)
    except BaseException:
        if supervisor is not None and supervisor.returncode is None:
            supervisor.kill()
            await supervisor.wait()
        print(log.read_text()[-4000:] if log.exists() else "no log")  # noqa: T201
        raise
    finally:
        await tg.stop()
        outbox: list[tuple[str, int]] = []
        try:  # never hides the error that ended the run (no tables when the upgrade failed)
            outbox = await _outbox(url)
        except Exception as exc:  # noqa: BLE001
            print(f"the outbox could not be read: {exc!r}")  # noqa: T201
        finally:
            await drop_pg_database(url)

    text = log.read_text()
    assert code == 0, text[-3000:]
    assert re.search(rf"event=worker_died worker={victim} pid=\d+ code=SIGKILL", text)
    assert "event=supervisor_stopped killed=0" in text
    assert "Traceback" not in text, text[text.find("Traceback") - 500 :][:6000]
    assert "poll_conflict" not in text, "a worker's start ended the receiver's long poll"
    assert outbox == [("sent", PEOPLE * ROUNDS)], "a message was handled twice or not sent"
    answers = collections.Counter(len(tg.sent(chat)) for chat in chats)
    assert set(answers) <= {ROUNDS, ROUNDS + 1}, (
        f"lost, or answered twice more than once: {answers}"
    )
    repeats = answers[ROUNDS + 1]
    print(f"\nreplies sent again after the sender was killed: {repeats}")  # noqa: T201
    assert repeats <= OutboxSettings().max_in_flight, (
        "more sent twice than the sender had in flight"
    )
    first = tg.sent(chats[0])[0]["text"]
    assert "/whoami" in first


def _victim(text: str) -> int:
    """The worker to kill: the one that sends, in the middle of its sending. (It was once the
    receiver, or the other worker when the receiver also sent: a killed sender repeated a whole
    burst of 30, issue 19.)"""
    sender = re.search(r"worker=(\d) event=sender_elected", text)
    assert sender is not None, text
    return int(sender[1])


async def _outbox(url: str) -> list[tuple[str, int]]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await conn.fetch("SELECT status, count(*) FROM core_outbox GROUP BY 1")
    finally:
        await conn.close()
    return [(r[0], r[1]) for r in rows]
