"""Jobs with the fake clock: declared cron jobs in a timezone, run-time one-shots, misfire after
downtime, daylight-saving changes, failures. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from qunzhu.core import ChatKind, ChatRef, Context, FakeClock, command, hookimpl
from qunzhu.core.model._events import JobTick
from qunzhu.core.scheduling._jobs import Job, job
from qunzhu.core.storage._tables import JobRow
from qunzhu.core.testing import BotHarness
from tests.conftest import harness_on

GROUP = ChatRef("memory", "g", ChatKind.GROUP, "g")


class Weekly:
    def __init__(self, misfire: str = "once") -> None:
        self.ticks: list[datetime] = []
        self.berlin: list[datetime] = []
        self.misfire = misfire

    @hookimpl
    def register_jobs(self) -> Sequence[Job]:
        @job("friday_report", cron="0 9 * * FRI", timezone="Asia/Shanghai")
        async def friday(ctx: Context) -> None:
            assert isinstance(ctx.event, JobTick)
            self.ticks.append(ctx.event.scheduled_for)
            await ctx.send("本周工作汇报开始", chat=GROUP)

        @job("hourly", every=3600, misfire=self.misfire)  # type: ignore[arg-type]
        async def hourly(ctx: Context) -> None:
            await ctx.send("hourly", chat=GROUP)

        @job("berlin", cron="0 9 * * *", timezone="Europe/Berlin")
        async def berlin(ctx: Context) -> None:
            assert isinstance(ctx.event, JobTick)
            self.berlin.append(ctx.event.scheduled_for)
            await ctx.send("Guten Morgen", chat=GROUP)

        @job("remind")
        async def remind(ctx: Context) -> None:
            assert isinstance(ctx.event, JobTick)
            await ctx.send(f"reminder: {ctx.event.payload['text']}")

        @job("broken", every=6 * 3600)
        async def broken(ctx: Context) -> None:
            await ctx.send("never delivered", chat=GROUP)
            raise RuntimeError("job bug")

        return [friday, hourly, berlin, remind, broken]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("remindme")
        async def remindme(ctx: Context, minutes: int, text: str) -> None:
            await ctx.schedule(
                "remind",
                at=ctx.now() + timedelta(minutes=minutes),
                chat=ctx.chat,
                payload={"text": text},
            )
            await ctx.reply("ok")

        @command("forget")
        async def forget(ctx: Context) -> None:
            await ctx.reply(f"removed {await ctx.unschedule('remind', ctx.chat.key)}")

        return [remindme, forget]


@pytest.fixture
def weekly() -> Weekly:
    return Weekly()


@pytest_asyncio.fixture
async def bot(backend: str, tmp_path: Path, weekly: Weekly) -> AsyncIterator[BotHarness]:
    # Monday 2026-03-23 08:30 Shanghai (00:30 UTC), the week Europe moves its clocks
    clock = FakeClock(datetime(2026, 3, 23, 0, 30, tzinfo=UTC))
    settings = {"language": "en", "timezone": "Asia/Shanghai"}
    async with harness_on(
        backend, tmp_path, [("weekly", weekly)], bot=settings, clock=clock
    ) as harness:
        yield harness


def texts(sent: list[Any], text: str) -> int:
    return sum(1 for s in sent if s.text == text)


async def test_a_weekly_job_runs_on_friday_at_nine_in_its_timezone(
    bot: BotHarness, weekly: Weekly
) -> None:
    sent = await bot.advance(timedelta(days=4))  # to Friday 08:30 Shanghai
    assert texts(sent, "本周工作汇报开始") == 0
    sent += await bot.advance(timedelta(hours=1))
    assert texts(sent, "本周工作汇报开始") == 1
    assert weekly.ticks == [datetime(2026, 3, 27, 1, 0, tzinfo=UTC)]  # 09:00 in Shanghai


async def test_daily_nine_oclock_in_berlin_across_the_clock_change(
    bot: BotHarness, weekly: Weekly
) -> None:
    sent = await bot.advance(timedelta(days=8))
    # 09:00 CET is 08:00 UTC until Sunday 29 March, then 09:00 CEST is 07:00 UTC
    assert [(t.day, t.hour) for t in weekly.berlin] == [
        (23, 8),
        (24, 8),
        (25, 8),
        (26, 8),
        (27, 8),
        (28, 8),
        (29, 7),
        (30, 7),
    ]
    assert texts(sent, "Guten Morgen") == 8


async def test_a_one_shot_reminder_scheduled_at_run_time(bot: BotHarness) -> None:
    await bot.send("/remindme 90 交材料", chat="village-3")
    early = await bot.advance(timedelta(minutes=89))
    assert [s.text for s in early if s.chat.chat_id == "village-3"] == []
    sent = await bot.advance(timedelta(minutes=2))
    assert [s.text for s in sent if s.chat.chat_id == "village-3"] == ["reminder: 交材料"]
    sent = await bot.advance(timedelta(days=1))
    assert [s.text for s in sent if s.chat.chat_id == "village-3"] == []  # once only
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(JobRow).where(JobRow.name == "remind"))).all() == []


async def test_a_reminder_can_be_unscheduled(bot: BotHarness) -> None:
    await bot.send("/remindme 30 x", chat="v")
    [reply] = await bot.send("/forget", chat="v")
    assert reply.text == "removed True"
    sent = await bot.advance(timedelta(hours=1))
    assert [s.text for s in sent if s.chat.chat_id == "v"] == []


async def test_missed_runs_after_downtime_run_once(bot: BotHarness) -> None:
    await bot.restart(downtime=timedelta(hours=5))
    await bot.app.settle()
    sent = await bot.advance(timedelta(seconds=1))
    assert texts(bot.sent, "hourly") == 1  # five slots were missed: one late run, not five
    sent = await bot.advance(timedelta(hours=1))
    assert texts(sent, "hourly") == 1


async def test_a_failing_job_is_logged_and_moves_on(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    sent = await bot.advance(timedelta(hours=12))
    assert texts(sent, "never delivered") == 0
    failures = [r for r in caplog.records if "job_failed" in r.getMessage()]
    assert len(failures) == 2 and "weekly.broken" in failures[0].getMessage()
