"""Story 2.2 in a private chat: photos and videos attach to the report. The dialog takes a video as
well as photos, and what the person sends afterwards, one by one, joins the report until the
close."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core import Attachment, AttachmentKind, Message
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins.models import Report

from .conftest import GROUP, IDS, advance_to, at


def _private(bot: BotHarness, user: str, *files: tuple[AttachmentKind, str]) -> Message:
    return Message(
        bot.next_id(), bot.dm(user), bot.user(user), "",
        tuple(Attachment(kind, ref, "video/mp4" if kind is AttachmentKind.VIDEO else "image/jpeg")
              for kind, ref in files),
        sent_at=bot.clock.now(),
    )  # fmt: skip


async def test_a_video_in_the_private_dialog_and_more_afterwards(bot: BotHarness) -> None:
    [prompt] = await advance_to(bot, at(9, 9))
    await bot.press(prompt, "私聊填写", user=IDS[4])
    for answer in ("清淤3处", "无", "继续清淤"):
        [question] = await bot.send(answer, user=IDS[4])
    assert question.text == "如有现场照片或视频请发送；没有请点「跳过」。"
    # a document is not a photo or a video: asked again
    [hint, again] = await bot.feed(_private(bot, IDS[4], (AttachmentKind.FILE, "/tmp/a.pdf")))
    assert hint.text == "请发送照片或视频。" and again.text == question.text
    posted, thanks = await bot.feed(_private(bot, IDS[4], (AttachmentKind.VIDEO, "/tmp/v.mp4")))
    assert posted.chat.chat_id == GROUP
    assert posted.text.splitlines()[-1] == "[图片/视频 1 个]"
    assert thanks.text.endswith("截止前在这里发送的照片或视频会加入这份汇报。")
    # two more photos, sent one by one after the dialog
    [added] = await bot.feed(_private(bot, IDS[4], (AttachmentKind.PHOTO, "/tmp/p1.jpg")))
    assert added.text == "已加入您的「水源保护周报」汇报，共 2 个图片/视频。"
    [added] = await bot.feed(_private(bot, IDS[4], (AttachmentKind.PHOTO, "/tmp/p2.jpg")))
    assert added.text == "已加入您的「水源保护周报」汇报，共 3 个图片/视频。"
    assert posted.text.splitlines()[0] == "✅ 莆田市长 的汇报已更新。"
    assert posted.text.splitlines()[-1] == "[图片/视频 3 个]"  # the receipt in the group says so
    async with bot.app.db.session() as s:
        [report] = (await s.scalars(select(Report))).all()
    assert [a["kind"] for a in report.attachments] == ["video", "photo", "photo"]
    assert report.source == "private"
    # someone who has not reported: a photo alone is not taken for a report (and after the
    # close nothing is added)
    assert await bot.feed(_private(bot, IDS[5], (AttachmentKind.PHOTO, "/tmp/x.jpg"))) == []
    await advance_to(bot, at(9, 18))
    assert await bot.feed(_private(bot, IDS[4], (AttachmentKind.PHOTO, "/tmp/late.jpg"))) == []
