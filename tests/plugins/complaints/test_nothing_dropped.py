"""Issue 14, item 5: nothing a person sends is dropped. Photos sent in private before any
report are kept and offered for a report; videos are kept like photos; the counts are true."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.model._events import Attachment, AttachmentKind, Message
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.models import Ticket

from .conftest import press_stale


async def _video(bot: BotHarness, user: str, ref: str, text: str = "") -> list[Sent]:
    clip = Attachment(AttachmentKind.VIDEO, ref, "video/mp4", size=40 * 1024 * 1024)
    return await bot.feed(Message(bot.next_id(), bot.dm(user), bot.user(user), text, (clip,)))


async def _ticket(bot: BotHarness) -> Ticket:
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    return ticket


async def test_photos_before_report_are_offered_and_kept(bot: BotHarness) -> None:
    """Regression (issue 14, "photos are lost"): a photo sent to the bot before /report was
    dropped without a word."""
    [asked] = await bot.send("", user="chen", photos=["ph-1", "ph-2"])
    assert asked.text == "收到 2 张照片。要反映问题吗？"
    assert asked.labels == ["反映问题"]
    [again] = await _video(bot, "chen", "clip-1", "景区门口")
    assert asked.text == "已添加到下面的照片中。"  # one question, with the true count
    assert again.text == "收到 2 张照片、1 段视频。要反映问题吗？"
    [what_q] = await bot.press(again, "反映问题", user="chen")
    assert again.text == "收到 2 张照片、1 段视频。"  # the question is settled
    assert what_q.text.startswith("问题在哪里？")  # the photos and the caption are kept
    [kind_q] = await bot.send("水口茶文化景区停车场", user="chen")
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    [check] = await bot.press(name_q, "实名", user="chen")
    assert "问题：景区门口" in check.text
    assert "照片：2 张" in check.text and "视频：1 段" in check.text
    await bot.press(check, "提交", user="chen")
    [card] = bot.sent_to("环卫所")
    assert card.reply.photo == "ph-1"  # a photo, never the video, is shown
    assert "🎬 1 段视频" in card.text
    ticket = await _ticket(bot)
    assert [p["ref"] for p in ticket.photos] == ["ph-1", "ph-2", "clip-1"]
    [stale] = await press_stale(bot, again, 1, user="chen")
    assert stale.text == "此登记提示已失效。"


async def test_report_after_a_photo_takes_the_photo(bot: BotHarness) -> None:
    await bot.send("", user="chen", photos=["ph-9"])
    [what_q] = await bot.send("/report", user="chen")
    assert what_q.text == "遇到了什么问题？请简单描述。"
    [where_q] = await bot.send("三组路口垃圾堆了一周", user="chen")
    assert where_q.text.startswith("问题在哪里？")  # the photo question is not asked again
    [kind_q] = await bot.press(where_q, "跳过", user="chen")
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    [check] = await bot.press(name_q, "实名", user="chen")
    assert "照片：1 张" in check.text


async def test_a_video_during_the_report_is_kept_and_counted(bot: BotHarness) -> None:
    [photo_q] = await bot.send("水口茶文化景区好几个地方垃圾没人处理", user="chen")
    assert photo_q.text == "请发送一张现场照片，或按“跳过”。"
    [where_q] = await _video(bot, "chen", "clip-7")  # 40 MB: a video, not a photo
    assert where_q.text.startswith("问题在哪里？")
    added, _ = await bot.send("", user="chen", photos=["ph-3"])
    assert added.text == "已添加，共 2 张。"
    [kind_q] = await bot.send("停车场", user="chen")
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    [check] = await bot.press(name_q, "匿名", user="chen")
    assert "照片：1 张" in check.text and "视频：1 段" in check.text
    await bot.press(check, "提交", user="chen")
    ticket = await _ticket(bot)
    assert ticket.photos[0] | {"size": None} == {
        "platform": "memory",
        "ref": "clip-7",
        "mime": "video/mp4",
        "size": None,
        "kind": "video",
    }
