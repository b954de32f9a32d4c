"""Issue 14, item 7: detection a group can trust, and turn off. A progress update with a photo
gets no offer while a real report does; the group's admins turn detection off and on in chat
(``/检测 关``, ``/detection on``), and ``/登记`` files a message whatever detection says."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket
from qunzhu.plugins.complaints.switch import DetectionSwitch

REPORT = "北部新城项目三标段混凝土没按规范养护，偷工减料"
GROUP = "北部新城工程"


def _last_id(bot: BotHarness) -> str:
    return f"e{int(bot.next_id()[1:]) - 1}"


async def test_a_progress_update_with_a_photo_is_not_offered(bot: BotHarness) -> None:
    assert await bot.send("今天浇筑混凝土，进展顺利", user="jian", chat=GROUP, photos=["p1"]) == []
    assert await bot.send("今天澆築混凝土，進展順利", user="jian", chat=GROUP, photos=["p2"]) == []
    weekly = "本周进展：完成混凝土浇筑3次。\n存在问题：无。\n下周计划：二层砌体。"
    assert await bot.send(weekly, user="jian", chat=GROUP, photos=["p3"]) == []
    assert await bot.send("谢谢，已经清理干净了", user="cun", chat=GROUP) == []
    [offer] = await bot.send(REPORT, user="jian", chat=GROUP, photos=["p4"])
    assert offer.text == "这条消息像是在反映问题（工程质量）。"
    assert offer.labels == ["登记为问题"]


async def test_a_complaint_without_a_keyword_is_offered_under_other(bot: BotHarness) -> None:
    [offer] = await bot.send("@书记 这个问题三天了还没人管", user="cun", chat="村民群")
    assert offer.text == "这条消息像是在反映问题（其他）。"


async def test_the_group_turns_detection_off_and_on(bot: BotHarness) -> None:
    [off] = await bot.send("/检测 关", user="wang", chat=GROUP)
    assert off.text == "本群已关闭问题识别：不再提示“登记为问题”。回复消息发送 /登记 仍可登记。"
    assert await bot.send(REPORT, user="jian", chat=GROUP, photos=["p1"]) == []
    assert await bot.send("垃圾没人处理", user="jian", chat="村民群") != []  # other groups: on

    await bot.send(REPORT, user="jian", chat=GROUP, photos=["p2"])
    source = _last_id(bot)
    replies = await bot.send("/登记", user="wang", chat=GROUP, reply_to=source)
    assert any(s.text.startswith("已登记为问题 Q-2026-0001（工程质量）") for s in replies)

    [status] = await bot.send("/检测", user="jian", chat=GROUP)
    assert status.text.startswith("本群问题识别：关闭（王书记 于 ")
    assert status.text.endswith("群管理员可发送 /检测 开 或 /检测 关 更改。")

    [on] = await bot.send("/detection on", user="admin", chat=GROUP)
    assert on.text.startswith("本群已开启问题识别")
    [offer] = await bot.send(REPORT, user="jian", chat=GROUP, photos=["p3"])
    assert offer.labels == ["登记为问题"]
    async with bot.app.db.session() as s:
        row = await s.get(DetectionSwitch, f"memory:{GROUP}")
        assert row is not None and (row.enabled, row.changed_by) == (True, "管理员")
        assert len((await s.scalars(select(Ticket))).all()) == 1


async def test_only_the_groups_admins_may_switch(bot: BotHarness) -> None:
    [refused] = await bot.send("/检测 关", user="jian", chat=GROUP)
    assert refused.text == "只有群管理员（本单位负责人、督查人员）可以开启或关闭问题识别。"
    [member] = await bot.send("/检测 关", user="lina", chat=GROUP)  # a department member
    assert member.text == refused.text
    [offer] = await bot.send(REPORT, user="jian", chat=GROUP, photos=["p1"])
    assert offer.labels == ["登记为问题"]  # still on
    [wrong] = await bot.send("/检测 也许", user="wang", chat=GROUP)
    assert wrong.text == "请发送 /检测 开 或 /检测 关。"
    [private] = await bot.send("/检测 关", user="wang")
    assert private.text == "请在要开启或关闭问题识别的群里发送 /检测。"


async def test_help_shows_the_switch(bot: BotHarness) -> None:
    [shown] = await bot.send("/help", user="jian", chat=GROUP)
    help_line = "/detection (/检测 /檢測) — 本群的问题识别：/检测 开 或 /检测 关（群管理员）"
    assert help_line in shown.text


VILLAGE: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "people": [{"name": "陈村长", "identities": ["memory:chen"]}],
    "org": {"village": {"name": "清水村", "chats": ["memory:清水村"], "head": "陈村长"}},
    "plugins": {"complaints": {}},  # detect: false, as by default
}


class TestTheUnitsHead:
    @pytest.fixture
    def bot_config(self) -> dict[str, Any]:
        return VILLAGE

    async def test_turns_detection_on_in_the_units_group_only(self, bot: BotHarness) -> None:
        text = "村口的路灯坏了好几天了，晚上很危险"
        assert await bot.send(text, user="cun", chat="清水村", photos=["p"]) == []  # YAML: off
        [status] = await bot.send("/检测", user="cun", chat="清水村")
        assert status.text.startswith("本群问题识别：关闭（按配置）。")
        [on] = await bot.send("/检测 开", user="chen", chat="清水村")
        assert on.text.startswith("本群已开启问题识别")
        [offer] = await bot.send(text, user="cun", chat="清水村", photos=["p"])
        assert offer.text == "这条消息像是在反映问题（道路交通）。"
        [refused] = await bot.send("/检测 开", user="chen", chat="别的群")
        assert refused.text.startswith("只有群管理员")
