"""Campaigns created in chat (issue 7: "created by an admin in chat"): /汇报情况 新建 asks one step
at a time, with buttons or typed answers; the campaign then runs like one of the YAML (opens on
its schedule, reminds, closes with the summary, survives a restart), and its owners list, pause,
resume, edit and delete it. Played through the real dispatcher with the fake clock."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from qunzhu.core import ButtonPress, FakeClock
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins import checkins
from qunzhu.plugins.checkins.models import CampaignRow, Report, Round
from tests.conftest import create_pg_database, drop_pg_database

from .conftest import IDS, MAYORS, advance_to, at, campaign, config

ROOM = "防汛群"
NAME = "防汛周报"


@pytest.fixture
def bot_config(tmp_path: Path) -> dict[str, Any]:
    settings = config(campaigns=[], chart_dir=str(tmp_path / "charts"), export_token="s3cret")
    settings["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    for person in settings["people"]:
        if person["name"] in MAYORS[:6]:
            person["roles"] = ["mayor"]
    return settings


async def create(
    bot: BotHarness,
    *,
    name: str = NAME,
    days: str = "每周五",
    hours: str | None = "09:00–18:00",
    who: str = "@福州市长 @厦门市长 泉州市长",
    mentions: Sequence[str] = ("memory:mayor1", "memory:mayor2"),
    user: str = "wang",
) -> Sent:
    """The whole dialog: typed name and people, the days typed or pressed, the hours pressed,
    "只有我", the usual questions, confirm. Returns the bot's last answer."""
    [q] = await bot.send("/汇报情况 新建", user=user, chat=ROOM)
    [q] = await bot.send(name, user=user, chat=ROOM)
    if days in q.labels:
        [q] = await bot.press(q, days, user=user)
    else:
        [q] = await bot.send(days, user=user, chat=ROOM)
    if hours is not None:
        [q] = await bot.press(q, hours, user=user)
    [q] = await bot.send(who, user=user, chat=ROOM, mentions=list(mentions))
    [q] = await bot.press(q, "只有我", user=user)
    [q] = await bot.press(q, "常用", user=user)
    [done] = await bot.press(q, "确认创建", user=user)
    return done


def _from(sent: list[Sent], chat: str = ROOM) -> list[str]:
    return [s.text for s in sent if s.chat.chat_id == chat]


async def test_created_in_chat_it_opens_reminds_and_closes_on_its_schedule(
    bot: BotHarness,
) -> None:
    [name_q] = await bot.send("/汇报情况 新建", user="wang", chat=ROOM)
    assert name_q.text == "🆕 新建汇报（1/6）。叫什么名称？例如：水源保护周报"
    assert name_q.labels == ["取消"]
    [days_q] = await bot.send(NAME, user="wang", chat=ROOM)
    assert days_q.text.startswith("📅（2/6）哪几天汇报？请点按钮")
    assert days_q.labels == ["每周五", "每周一", "每个工作日", "每月最后一个周五", "取消"]
    [hours_q] = await bot.press(days_q, "每周五", user="wang")
    assert hours_q.text.startswith("🕘（3/6）几点开始、几点截止？")
    assert hours_q.labels[:2] == ["09:00–18:00", "08:30–17:30"]
    [who_q] = await bot.press(hours_q, "09:00–18:00", user="wang")
    assert who_q.text.startswith("👥（4/6）哪些人需要汇报？")
    assert who_q.labels == ["角色：mayor", "角色：成员:housing", "角色：督办人", "取消"]
    [owners_q] = await bot.send(
        "@福州市长 @厦门市长 泉州市长", user="wang", chat=ROOM,
        mentions=["memory:mayor1", "memory:mayor2"],
    )  # fmt: skip
    assert owners_q.labels == ["只有我", "取消"]
    [questions_q] = await bot.press(owners_q, "只有我", user="wang")
    assert questions_q.labels == ["常用：本周进展 / 存在问题 / 下周计划", "取消"]
    [confirm] = await bot.press(questions_q, "常用", user="wang")
    assert confirm.text.splitlines() == [
        "请核对，无误后点下方按钮：",
        "名称：防汛周报",
        "时间：每周五 09:00–18:00（Asia/Shanghai）",
        "汇报人（3）：福州市长、厦门市长、泉州市长",
        "负责人：王副部长",
        "问题：",
        "1. 本周进展",
        "2. 存在问题",
        "3. 下周计划",
        "下次开始：1月9日（周五） 09:00",
    ]
    assert confirm.labels == ["✅ 确认创建", "取消"]
    [done] = await bot.press(confirm, "确认创建", user="wang")
    assert done.text == (
        "✅ 已创建「防汛周报」：每周五 09:00–18:00，3 人汇报。首次开始：1月9日（周五） 09:00。"
        "如需现在就开始：/汇报情况 开始 防汛周报。"
        "负责人还可以：/汇报情况 暂停|恢复|修改|删除 防汛周报"
    )
    async with bot.app.db.session() as s:
        [row] = (await s.scalars(select(CampaignRow))).all()
    assert (row.name, row.chat, row.state, row.created_by) == (
        NAME,
        f"memory:{ROOM}",
        "active",
        "王副部长",
    )
    assert row.spec["participants"] == ["memory:mayor1", "memory:mayor2", "memory:mayor3"]
    assert row.spec["owners"] == ["memory:wang"]

    await bot.restart()  # the campaign and its planned opening survive a restart
    assert _from(await advance_to(bot, at(9, 8, 59))) == []
    [prompt] = await advance_to(bot, at(9, 9))
    assert prompt.chat.chat_id == ROOM
    assert prompt.text.splitlines()[0] == "📋 防汛周报：请于 1月9日（周五） 18:00 前汇报。"
    [receipt] = await bot.send("#周报 完成堤防巡查", user=IDS[0], chat=ROOM)
    assert receipt.text == "✅ 已收到 福州市长 的汇报（1/3）。"
    await bot.send("加固2处险段", user=IDS[2], chat=ROOM, reply_to=prompt.message_id)
    await bot.press(receipt, "已阅", user="wang")  # the creator owns it
    await bot.restart(downtime=timedelta(hours=1))
    [reminder] = await advance_to(bot, at(9, 16, 12))
    assert reminder.text == "⏰ 防汛周报 将于 1月9日（周五） 18:00 截止。尚未汇报：@厦门市长"
    [summary] = await advance_to(bot, at(9, 18))
    assert summary.text.splitlines() == [
        "📊 防汛周报 · 1月9日（周五） 汇报小结",
        "参与率：67%（应报 3 人，已报 2 人）",
        "已汇报：",
        "1. 福州市长：完成堤防巡查 👍",
        "2. 泉州市长：加固2处险段",
        "❌ 未汇报：厦门市长",
        "👍 负责人已阅：1/2 份",
    ]
    # the next Friday opens again; history, chart and list know it
    [second] = await advance_to(bot, at(16, 9))
    assert second.text.startswith("📋 防汛周报：请于 1月16日（周五） 18:00 前汇报。")
    [history] = await bot.send("/汇报情况", user=IDS[0], chat=ROOM)
    assert history.text.splitlines()[:3] == [
        "📅 防汛周报：最近 2 次汇报",
        "1月9日（周五）：应报 3 人，已报 2 人（67%）",
        "1月16日（周五）：应报 3 人，已报 0 人（0%） （进行中）",
    ]
    [chart] = await bot.press(history, "参与图", user=IDS[0])
    assert chart.text.startswith("📊 防汛周报：每次汇报的参与情况")
    assert chart.reply.photo is not None and chart.reply.photo.endswith(".png")
    url = f"http://127.0.0.1:{bot.app.web.port}/checkins/export.csv?campaign={NAME}&token=s3cret"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert [r[:4] for r in rows[1:4]] == [
        [NAME, "2026-01-09", "福州市长", "reported"],
        [NAME, "2026-01-09", "厦门市长", "missed"],
        [NAME, "2026-01-09", "泉州市长", "reported"],
    ]
    [listing] = await bot.send("/汇报情况 列表", user=IDS[0], chat=ROOM)
    assert listing.text.splitlines() == [
        "📋 工作汇报：",
        "1. 防汛周报 — 每周五 09:00–18:00 (王副部长 在聊天中创建)",
    ]


async def test_typed_days_with_hours_skip_the_hours_question(bot: BotHarness) -> None:
    [q] = await bot.send("/新建汇报", user="wang", chat=ROOM)
    await bot.send("晨会打卡", user="wang", chat=ROOM)
    [who_q] = await bot.send("周一至周五 8:30-9:00", user="wang", chat=ROOM)
    assert who_q.text.startswith("👥（4/6）")  # the hours were in the answer
    [owners_q] = await bot.press(who_q, "mayor", user="wang")  # a role: whoever holds it
    [questions_q] = await bot.send("@赵副省长", user="wang", chat=ROOM, mentions=["memory:zhao"])
    [confirm] = await bot.send("今日计划\n需要协调的事", user="wang", chat=ROOM)
    lines = confirm.text.splitlines()
    assert lines[2] == "时间：每个工作日 08:30–09:00（Asia/Shanghai）"
    assert lines[3] == "汇报人（1）：角色 mayor（目前 6 人）"
    assert lines[4] == "负责人：王副部长、赵副省长"
    assert lines[6:8] == ["1. 今日计划", "2. 需要协调的事"]
    assert lines[-1] == "下次开始：1月6日（周二） 08:30"  # Monday 09:00 now: tomorrow
    await bot.press(confirm, "确认创建", user="wang")
    [prompt] = await advance_to(bot, at(6, 8, 30))
    assert prompt.text.startswith("📋 晨会打卡：请于 1月6日（周二） 09:00 前汇报。")
    async with bot.app.db.session() as s:
        [rnd] = (await s.scalars(select(Round))).all()
    assert len(rnd.roster) == 6  # the six mayors holding the role


async def test_bad_answers_are_asked_again_with_an_example(bot: BotHarness) -> None:
    await bot.send("/checkins new", user="wang", chat=ROOM)
    [hint, again] = await bot.send("第一行\n第二行", user="wang", chat=ROOM)
    assert hint.text == "请写一个简短的名称（一行），例如 水源保护周报。"
    assert again.text.startswith("🆕 新建汇报（1/6）")
    await bot.send(NAME, user="wang", chat=ROOM)
    [hint, again] = await bot.send("有空的时候", user="wang", chat=ROOM)
    assert hint.text == (
        "看不懂“有空的时候”是哪几天。请点按钮，或这样写：周五 9:00-18:00（每周五 9 点到 18 点）。"
    )
    assert again.text.startswith("📅（2/6）")
    [hint, again] = await bot.send("周五 9:00", user="wang", chat=ROOM)  # no closing time
    assert hint.text.startswith("看不懂“周五 9:00”是哪几天。")
    [hours_q] = await bot.send("每周五", user="wang", chat=ROOM)
    [hint, again] = await bot.send("早上", user="wang", chat=ROOM)
    assert hint.text == "看不懂“早上”是几点。请写开始和截止时间，例如 9:00-18:00。"
    [who_q] = await bot.send("9点到18点", user="wang", chat=ROOM)
    [hint, again] = await bot.send("福州市长 张三 李四", user="wang", chat=ROOM)
    assert hint.text == (
        "我还不认识：张三、李四。请用 @ 提及他们（需在本群发过言），或写 /我是谁 显示的姓名，"
        "或选择一个角色。"
    )
    [owners_q] = await bot.send("福州市长、厦门市长", user="wang", chat=ROOM)
    [questions_q] = await bot.send("我", user="wang", chat=ROOM)
    [hint, again] = await bot.send("\n".join(f"问题{i}" for i in range(9)), user="wang", chat=ROOM)
    assert hint.text == "请写 1 到 8 个问题，每行一个或用 / 隔开。"
    [confirm] = await bot.send("1. 进展 / 2. 问题", user="wang", chat=ROOM)
    assert confirm.text.splitlines()[6:8] == ["1. 进展", "2. 问题"]
    [bye] = await bot.send("/取消", user="wang", chat=ROOM)
    assert bye.text == "已取消，未保存任何内容。"
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(CampaignRow))).all() == []


async def test_cron_opens_at_its_own_time_and_asks_only_the_close(bot: BotHarness) -> None:
    await bot.send("/新建汇报", user="wang", chat=ROOM)
    await bot.send("周报（cron）", user="wang", chat=ROOM)
    [close_q] = await bot.send("30 8 * * FRI", user="wang", chat=ROOM)
    assert close_q.text == "🕘（3/6）开始时间按 cron 表达式。几点截止？例如 18:00。"
    [who_q] = await bot.press(close_q, "12:00", user="wang")
    await bot.press(who_q, "mayor", user="wang")
    [q] = bot.sent[-1:]
    [q] = await bot.press(q, "只有我", user="wang")
    [confirm] = await bot.press(q, "常用", user="wang")
    assert "时间：日程 30 8 * * FRI cron 指定的时间–12:00（Asia/Shanghai）" in confirm.text
    await bot.press(confirm, "确认创建", user="wang")
    [prompt] = await advance_to(bot, at(9, 8, 30))
    assert "请于 1月9日（周五） 12:00 前汇报" in prompt.text


async def test_who_may_create_and_who_may_change(bot: BotHarness) -> None:
    [refused] = await bot.send("/汇报情况 新建", user=IDS[0], chat=ROOM)
    assert refused.text == "只有管理员和“督办人”角色可以新建汇报。"
    [where] = await bot.send("/汇报情况 新建", user="wang")  # a private chat: which group?
    assert where.text == "请在需要汇报的群里发送 /汇报情况 新建：汇报属于那个群。"
    await create(bot)
    for words in ("暂停", "恢复", "删除", "修改"):
        [no] = await bot.send(f"/汇报情况 {words} {NAME}", user=IDS[0], chat=ROOM)
        assert no.text == "只有「防汛周报」的负责人可以这样做。"
    [unknown] = await bot.send("/汇报情况 暂停 没有这个", user="wang", chat=ROOM)
    assert unknown.text == "没有名为「没有这个」的汇报。"
    [which] = await bot.send("/汇报情况 暂停", user="wang", chat=ROOM)
    assert which.text == "请写明是哪一项汇报，例如 /汇报情况 暂停 水源保护周报。"
    [taken] = (await _start(bot, NAME))[-2:-1]
    assert taken.text == "已有名为「防汛周报」的汇报，请换一个名称。"


async def _start(bot: BotHarness, name: str) -> list[Sent]:
    await bot.send("/cancel", user="wang", chat=ROOM)
    await bot.send("/汇报情况 新建", user="wang", chat=ROOM)
    return await bot.send(name, user="wang", chat=ROOM)


async def test_paused_it_does_not_open_and_resumed_it_does(bot: BotHarness) -> None:
    await create(bot)
    [paused] = await bot.send(f"/汇报情况 暂停 {NAME}", user="wang", chat=ROOM)
    assert paused.text == (
        "⏸ 已暂停「防汛周报」：在 /汇报情况 恢复 防汛周报 之前，不再开始新的汇报，也不再提醒。"
    )
    [again] = await bot.send(f"/汇报情况 暂停 {NAME}", user="wang", chat=ROOM)
    assert again.text == "「防汛周报」已经暂停。恢复：/汇报情况 恢复 防汛周报"
    await bot.restart()
    assert await advance_to(bot, at(9, 18)) == []  # no prompt, no reminder, no summary
    [why] = await bot.send("#周报 本周完成", user=IDS[0], chat=ROOM)
    assert why.text == "「防汛周报」已暂停，这条消息未记为汇报。"
    [listing] = await bot.send("/汇报情况 列表", user="wang", chat=ROOM)
    assert listing.text.endswith("(王副部长 在聊天中创建) ⏸ 已暂停")
    [resumed] = await bot.send(f"/汇报情况 恢复 {NAME}", user="wang", chat=ROOM)
    assert resumed.text == "▶️ 已恢复「防汛周报」。下次开始：1月16日（周五） 09:00。"
    [prompt] = await advance_to(bot, at(16, 9))
    assert prompt.text.startswith("📋 防汛周报：请于 1月16日（周五） 18:00 前汇报。")


async def test_paused_during_a_check_in_it_still_closes_but_does_not_remind(
    bot: BotHarness,
) -> None:
    await create(bot)
    await advance_to(bot, at(9, 9))
    await bot.send("#周报 完成", user=IDS[0], chat=ROOM)
    [paused] = await bot.send(f"/汇报情况 暂停 {NAME}", user="wang", chat=ROOM)
    assert paused.text.splitlines()[1] == (
        "正在进行的这一次仍照常收取汇报，1月9日（周五） 18:00 发出小结。"
    )
    sent = await advance_to(bot, at(9, 18))
    assert [t.splitlines()[0] for t in _from(sent)] == ["📊 防汛周报 · 1月9日（周五） 汇报小结"]
    assert await advance_to(bot, at(16, 18)) == []


async def test_deleted_its_jobs_do_nothing_and_its_reports_stay(bot: BotHarness) -> None:
    await create(bot)
    await advance_to(bot, at(9, 9))
    await bot.send("#周报 完成", user=IDS[0], chat=ROOM)
    [ask] = await bot.send(f"/汇报情况 删除 {NAME}", user="wang", chat=ROOM)
    assert ask.text == (
        "确定删除「防汛周报」吗？删除后不再开始新的汇报。已收到的汇报会保留（导出中仍可查到）。"
    )
    assert ask.labels == ["🗑 确定删除", "不删除"]
    [no] = await bot.press(ask, "确定删除", user=IDS[1])
    assert no.text == "只有「防汛周报」的负责人可以这样做。"
    assert await bot.press(ask, "不删除", user="wang") == []
    assert ask.text == "未删除，「防汛周报」照常进行。" and ask.labels == []
    [ask] = await bot.send(f"/汇报情况 删除 {NAME}", user="wang", chat=ROOM)
    delete = ask.button("确定删除")
    [summary] = await bot.press(ask, "确定删除", user="wang")
    assert summary.text.splitlines()[:2] == [
        "📊 防汛周报 · 1月9日（周五） 汇报小结",
        "参与率：33%（应报 3 人，已报 1 人）",
    ]
    assert ask.text.splitlines() == [
        "🗑 已删除「防汛周报」。以往的汇报记录都已保留。",
        "正在进行的那一次已提前结束，小结见上方。",
    ]
    [gone] = await bot.feed(
        ButtonPress(bot.next_id(), ask.chat, bot.user("wang"), ask.message_id, delete.data)
    )  # pressed again (another phone still showed the buttons)
    assert gone.text == "这项汇报已经删除了。"
    assert await advance_to(bot, at(16, 18)) == []  # the reminder, close and next opening: quiet
    await bot.restart()
    assert await advance_to(bot, at(23, 18)) == []
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(CampaignRow))).all() == []
        [rnd] = (await s.scalars(select(Round))).all()
        [report] = (await s.scalars(select(Report))).all()
    assert rnd.state == "closed" and report.text == "#周报 完成"
    [empty] = await bot.send("/汇报情况 列表", user="wang", chat=ROOM)
    assert empty.text == "这里还没有工作汇报。新建：/汇报情况 新建"


async def test_edited_with_keep_buttons_the_next_check_in_moves(bot: BotHarness) -> None:
    await create(bot)
    [name_q] = await bot.send(f"/汇报情况 修改 {NAME}", user="wang", chat=ROOM)
    assert name_q.text == "✏️ 修改「防汛周报」（1/6）。请写新名称，或点「保持不变」。"
    assert name_q.labels == ["保持不变：防汛周报", "取消"]
    [days_q] = await bot.send("防汛周报（新）", user="wang", chat=ROOM)
    assert days_q.labels[-2] == "保持不变：每周五 09:00–18:00"
    [hours_q] = await bot.send("每周一", user="wang", chat=ROOM)
    assert hours_q.labels[-2] == "保持不变：09:00–18:00"
    [who_q] = await bot.press(hours_q, "保持不变", user="wang")
    assert who_q.labels[-2] == "保持不变：福州市长、厦门市长、泉州市长"
    [owners_q] = await bot.press(who_q, "保持不变", user="wang")
    [questions_q] = await bot.press(owners_q, "保持不变", user="wang")
    [confirm] = await bot.press(questions_q, "保持不变", user="wang")
    assert confirm.labels == ["✅ 保存修改", "取消"]
    [saved] = await bot.press(confirm, "保存修改", user="wang")
    assert saved.text.splitlines()[:3] == [
        "✅ 已保存。从下一次汇报起：",
        "名称：防汛周报（新）",
        "时间：每周一 09:00–18:00（Asia/Shanghai）",
    ]
    assert await advance_to(bot, at(9, 18)) == []  # not on Friday any more
    [prompt] = await advance_to(bot, at(12, 9))
    assert prompt.text.startswith("📋 防汛周报（新）：请于 1月12日（周一） 18:00 前汇报。")


async def test_the_yaml_wins_on_a_name_clash(bot: BotHarness) -> None:
    await create(bot, name="水源保护周报")
    # later the same name is added to the YAML, for this group: the YAML's runs, and says so
    bot.config["plugins"]["checkins"]["campaigns"] = [campaign(group=f"memory:{ROOM}")]
    await bot.restart()
    [listing] = await bot.send("/汇报情况 列表", user="wang", chat=ROOM)
    assert listing.text.splitlines() == [
        "📋 工作汇报：",
        "1. 水源保护周报 — 每周五 09:00–18:00 (配置文件设置)",
        "⚠️ 在聊天中创建的「水源保护周报」未运行：配置文件中有同名汇报，以配置文件为准。",
    ]
    [prompt] = await advance_to(bot, at(9, 9))  # one check-in, the YAML's (12 mayors)
    assert prompt.text.startswith("📋 水源保护周报：")
    async with bot.app.db.session() as s:
        [rnd] = (await s.scalars(select(Round))).all()
    assert len(rnd.roster) == 12
    [refused] = await bot.send("/汇报情况 暂停 水源保护周报", user="wang", chat=ROOM)
    assert refused.text == (
        "「水源保护周报」写在配置文件中，不能在聊天中修改，请联系机器人的维护人员。"
    )
    [ask] = await bot.send("/汇报情况 删除 水源保护周报", user="wang", chat=ROOM)
    assert await bot.press(ask, "确定删除", user="wang") == []
    assert ask.text == "🗑 已删除在聊天中创建的「水源保护周报」；配置文件中的同名汇报照常进行。"
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(CampaignRow))).all() == []
        [rnd] = (await s.scalars(select(Round))).all()
    assert rnd.state == "open"  # the YAML's check-in goes on


async def test_created_in_chat_on_each_backend(backend: str, tmp_path: Path) -> None:
    """The story above, short, on SQLite and on PostgreSQL (the new table and its JSON)."""
    settings: dict[str, Any] = config(campaigns=[])
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        settings["database"] = {"url": url}
    bot = await BotHarness.create(
        workdir=tmp_path, config=settings, plugins=[("checkins", checkins)],
        clock=FakeClock(at(5, 9)),
    )  # fmt: skip
    try:
        done = await create(bot, days="周五 9:00-18:00", hours=None)
        assert done.text.startswith("✅ 已创建「防汛周报」：每周五 09:00–18:00，3 人汇报。")
        await bot.restart()
        [prompt] = await advance_to(bot, at(9, 9))
        await bot.send("本周完成", user=IDS[1], chat=ROOM, reply_to=prompt.message_id)
        await bot.send(f"/汇报情况 暂停 {NAME}", user="wang", chat=ROOM)
        *_, summary = await advance_to(bot, at(9, 18))
        assert summary.text.splitlines()[1] == "参与率：33%（应报 3 人，已报 1 人）"
        assert await advance_to(bot, at(16, 18)) == []
    finally:
        await bot.close()
        if url:
            await drop_pg_database(url)


async def test_a_role_nobody_holds_yet_says_how_to_add_people(bot: BotHarness) -> None:
    await bot.send("/新建汇报", user="wang", chat=ROOM)
    await bot.send(NAME, user="wang", chat=ROOM)
    await bot.send("周五 9:00-18:00", user="wang", chat=ROOM)
    [owners_q] = await bot.send("角色：河长", user="wang", chat=ROOM)
    [questions_q] = await bot.press(owners_q, "只有我", user="wang")
    [confirm] = await bot.press(questions_q, "常用", user="wang")
    assert "汇报人（1）：角色 河长（目前 0 人）" in confirm.text.splitlines()
    await bot.press(confirm, "确认创建", user="wang")
    [prompt] = await advance_to(bot, at(9, 9))
    assert prompt.text.splitlines()[-1] == (
        "⚠️ 这项汇报还没有参加人员，负责人可以用 /汇报情况 修改 防汛周报 添加。"
    )
    *_, summary = await advance_to(bot, at(9, 18))
    assert summary.text.splitlines()[1] == "参与率：本次无人需要汇报。"


async def test_in_english(bot: BotHarness) -> None:
    [q] = await bot.send("/checkins new", user="wang", chat=ROOM, lang="en")
    assert q.text == "🆕 New check-in (1/6). What is it called? For example: 水源保护周报"
    await bot.send("Flood watch", user="wang", chat=ROOM, lang="en")
    [hint, _] = await bot.send("whenever", user="wang", chat=ROOM, lang="en")
    assert hint.text == (
        "I could not read “whenever” as days. Press a button, or write for example: "
        "周五 9:00-18:00 (every Friday from 9:00 to 18:00)."
    )
    [who_q] = await bot.send("every Friday 9am-6pm", user="wang", chat=ROOM, lang="en")
    assert who_q.labels == ["Role: mayor", "Role: member:housing", "Role: supervisor", "Cancel"]
    [q] = await bot.press(who_q, "mayor", user="wang", lang="en")
    [q] = await bot.press(q, "Just me", user="wang", lang="en")
    [confirm] = await bot.press(q, "The usual", user="wang", lang="en")
    assert confirm.text.splitlines()[2:5] == [
        "When: every Fri 09:00–18:00 (Asia/Shanghai)",
        "Who reports (1): role mayor (6 people now)",
        "Owners: 王副部长",
    ]
    [done] = await bot.press(confirm, "Create it", user="wang", lang="en")
    assert done.text.startswith("✅ Created Flood watch: every Fri 09:00–18:00, 6 to report.")
