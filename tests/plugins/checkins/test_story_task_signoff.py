"""Story 2.9 (issue 15, item 2): done means done, and signed off. On the eve of 国庆 王副部长
gives 住建局 a task; on the first day back 刘局长 posts a video "报告书记：塌方已清理完毕"; the
task is reported with its evidence and waits for sign-off. 王副部长 gives it back with a reason
(刘局长 is told in the group and privately); the deadline passes, the escalation reaches
陈副区长 in the group and in private; 刘局长 replies to the card "已落实，请书记审阅" with a
photo, and 陈副区长, the head of the unit above, signs it off by replying "同意"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core import Attachment, AttachmentKind, FakeClock, Message
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.checkins.models import Task

from .conftest import GROUP, SHANGHAI, advance_to, campaign, config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    settings = config(campaigns=[campaign(schedule="FREQ=MONTHLY;BYMONTHDAY=28")])
    settings["calendar"] = {"preset": "cn", "hours": ["08:30-12:00", "14:00-17:30"]}
    return settings


@pytest.fixture
def bot_clock() -> FakeClock:
    return FakeClock(datetime(2026, 9, 30, 10, tzinfo=SHANGHAI))  # Wednesday, the eve of 国庆


def on(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def video(bot: BotHarness, user: str, caption: str) -> list[Sent]:
    clip = Attachment(AttachmentKind.VIDEO, "/tmp/v.mp4", "video/mp4", caption=caption)
    message = Message(
        bot.next_id(), bot.group(GROUP), bot.user(user), "", (clip,), sent_at=bot.clock.now()
    )
    return await bot.feed(message)


def texts(sent: list[Sent]) -> list[tuple[str, str]]:
    return [(s.chat.chat_id, s.text) for s in sent]


async def _task(bot: BotHarness) -> Task:
    async with bot.app.db.session() as s:
        return (await s.scalars(select(Task))).one()


async def test_reported_by_video_given_back_escalated_and_signed_off_by_the_unit_above(
    bot: BotHarness,
) -> None:
    [card] = await bot.send("/task @住建局 明天下班以前完成塌方清理", user="wang", chat=GROUP)
    assert card.text.splitlines()[2] == "期限：10月8日（周四） 17:30（明天下班以前）"

    # the first morning back: a video with a caption, not even a reply
    await advance_to(bot, on(10, 8, 10))
    [request] = await video(bot, "liu", "报告书记：塌方已清理完毕")
    assert request.text.splitlines() == [
        "📝 任务 T-1（完成塌方清理）：刘局长 报告已办结。",
        "说明：报告书记：塌方已清理完毕",
        "（附图片/视频 1 个）",
        "请 @王副部长 验收：点下方按钮，或回复本消息“同意”或“退回+理由”。",
    ]
    assert request.labels == ["✅ 验收通过", "↩️ 退回"]
    assert request.reply.mentions == ("memory:wang",)
    assert card.text.splitlines()[-1] == "📝 刘局长 已报告办结，待 王副部长 验收"
    assert card.labels == []
    # waiting for sign-off: no reminder is sent
    assert await advance_to(bot, on(10, 8, 15, 30)) == []

    # 退回 asks for the reason; the assignee is told in the group and privately
    [why] = await bot.press(request, "退回", user="wang")
    assert why.text == "退回 T-1 的理由是什么？请简要说明。"
    told = await bot.send("视频看不清，请补拍现场", user="wang", chat=GROUP)
    assert texts(told) == [
        (
            "dm:liu",
            "↩️ 您的任务 T-1（完成塌方清理）被 王副部长 退回：视频看不清，请补拍现场\n"
            "办好后请在群里回复任务卡片，或发送 /完成 T-1 加简要说明。",
        ),
        (
            GROUP,
            "↩️ 任务 T-1（完成塌方清理）被 王副部长 退回：视频看不清，请补拍现场\n"
            "请 住建局（@刘局长） 继续办理，期限 10月8日（周四） 17:30。",
        ),
    ]
    assert request.text.splitlines()[-1] == "↩️ 王副部长 已退回：视频看不清，请补拍现场"
    assert request.labels == []
    assert card.labels == ["✅ 已完成"]  # open again

    # open again, so the deadline counts: overdue, and 陈副区长 is told privately too
    late = await advance_to(bot, on(10, 8, 17, 30))
    assert texts(late) == [
        (
            GROUP,
            "⚠️ 超期：任务 T-1（完成塌方清理）承办 住建局（@刘局长），期限 10月8日（周四） "
            "17:30，至今未办结。",
        ),
        (
            "dm:chen",
            "🔔 请您督办：住建局 的任务 T-1（完成塌方清理）已超期，期限为 10月8日（周四） "
            "17:30。交办人：王副部长。",
        ),
        (
            GROUP,
            "⬆️ 逐级问责：已上报分管副区长（@陈副区长）。住建局 的任务 T-1（完成塌方清理）"
            "已超期，请督办。",
        ),
    ]

    # the next morning, a reply to the card with a photo; the head of the unit above signs off
    await advance_to(bot, on(10, 9, 9))
    [again] = await bot.send(
        "已落实，请书记审阅", user="liu", chat=GROUP, reply_to=card.message_id, photos=["p1"]
    )
    assert again.text.splitlines()[1:3] == ["说明：已落实，请书记审阅", "（附图片/视频 1 个）"]
    [done] = await bot.send("同意", user="chen", chat=GROUP, reply_to=again.message_id)
    assert done.text == "✅ 任务 T-1 已办结：完成塌方清理（刘局长 办理，陈副区长 验收）（超期办结）"
    assert card.text.splitlines()[-1] == (
        "✅ 刘局长 已于 10月9日（周五） 09:00 办结，陈副区长 已验收"
    )
    assert again.text.splitlines()[-1] == "✅ 陈副区长 已验收"
    assert await advance_to(bot, on(10, 16, 18)) == []  # no more escalations
    task = await _task(bot)
    assert (task.state, task.done_by, task.accepted_by) == ("done", "刘局长", "陈副区长")
    assert task.report["attachments"] == [{"kind": "photo", "ref": "p1", "mime": "image/jpeg"}]
    assert [r["reason"] for r in task.returns] == ["视频看不清，请补拍现场"]
    assert task.returns[0]["report"]["attachments"][0]["kind"] == "video"


async def test_done_with_words_is_reported_and_only_the_right_people_report_or_sign(
    bot: BotHarness,
) -> None:
    [card] = await bot.send("/task @住建局 明天下班以前完成塌方清理", user="wang", chat=GROUP)
    # someone else may not report it, nor sign it off
    [refused] = await bot.send("已完成", user="mayor1", chat=GROUP, reply_to=card.message_id)
    assert refused.text == "只有 T-1 的承办人或交办人可以报告办结。"
    assert await bot.send("收到", user="liu", chat=GROUP, reply_to=card.message_id) == []
    # /完成 with free text after the number: the text is the evidence (was: too many words)
    [request] = await bot.send("/完成 T-1 塌方已清理，视频为证", user="liu", chat=GROUP)
    assert request.text.splitlines()[:2] == [
        "📝 任务 T-1（完成塌方清理）：刘局长 报告已办结。",
        "说明：塌方已清理，视频为证",
    ]
    for who in ("liu", "mayor1"):  # the assignee cannot sign off his own work
        [no] = await bot.press(request, "验收通过", user=who)
        assert no.text == "只有交办人 王副部长 或上级单位负责人可以验收 T-1。"
    # 退回 typed in reply, with its reason
    back = await bot.send(
        "退回：缺少现场照片", user="wang", chat=GROUP, reply_to=request.message_id
    )
    assert back[-1].text.startswith("↩️ 任务 T-1（完成塌方清理）被 王副部长 退回：缺少现场照片")
    [request] = await bot.send("/完成 T-1 照片已补", user="liu", chat=GROUP)
    [done] = await bot.press(request, "验收通过", user="wang")
    assert done.text == "✅ 任务 T-1 已办结：完成塌方清理（刘局长 办理，王副部长 验收）"
    [already] = await bot.send("/完成 T-1", user="liu", chat=GROUP)
    assert already.text == "任务 T-1 已经办结。"


async def test_a_photo_in_reply_is_asked_about_and_the_assigner_closes_his_own(
    bot: BotHarness,
) -> None:
    [card] = await bot.send("/task @刘局长 明天下班以前报送材料", user="wang", chat=GROUP)
    [question] = await bot.send("", user="liu", chat=GROUP, reply_to=card.message_id, photos=["p"])
    assert question.text == "这是任务 T-1（报送材料）的办结报告吗？"
    assert question.labels == ["是，已办结", "否"]
    [other] = await bot.press(question, "是", user="mayor1")
    assert other.text == "只有发送人本人可以回答。"
    [request] = await bot.press(question, "是", user="liu")
    assert request.text.splitlines()[1] == "（附图片/视频 1 个）"
    # the assigner himself reports the second one done: no one else signs it off
    await bot.send("/task @刘局长 明天下班以前报送名单", user="wang", chat=GROUP)
    [closed] = await bot.send("/完成 T-2 已收到名单", user="wang", chat=GROUP)
    assert closed.text == "✅ 任务 T-2 已办结：报送名单（王副部长）"


async def test_a_task_given_as_a_reply_takes_the_message_along(bot: BotHarness) -> None:
    [] = await bot.send("河道边堆满垃圾", user="mayor1", chat=GROUP, photos=["p7"])
    photo = bot.last_event
    [card] = await bot.send(
        "/任务 @住建局 明天下班前清理干净", user="wang", chat=GROUP, reply_to=photo.event_id
    )
    assert card.text.splitlines()[3] == "附：“河道边堆满垃圾”（图片/视频 1 个）"
    assert card.reply.reply_to == photo.event_id  # the card stands under the photo
    task = await _task(bot)
    assert task.material["attachments"] == [{"kind": "photo", "ref": "p7", "mime": "image/jpeg"}]
