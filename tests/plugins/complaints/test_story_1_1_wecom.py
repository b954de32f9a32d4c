"""Story 1.1 over WeCom's long connection (the adapter against the emulator, issue 18): the site
supervisor @-mentions the bot with a photo and the text, the offer is a card under his message,
the secretary's click files it, and the bureau's group receives the ticket's card; the offer's
card is updated in place because the click has just happened."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from qunzhu.plugins.complaints import hooks
from tests.adapters.wecom.emulator import WecomEmulator
from tests.adapters.wecom.wecomapp import WecomApp

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"
PHOTO = b"\xff\xd8\xff\xe0 site photo " * 40


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[WecomEmulator]:
    async with WecomEmulator() as emulator:
        yield emulator


async def test_story_1_1_on_wecom(tmp_path: Path, emu: WecomEmulator) -> None:
    supervisor, secretary = emu.person("chen", "老陈"), emu.person("wang", "王书记")
    project = emu.group("wrkProject", "北部新城工程", supervisor, secretary)
    bureau = emu.group("wrkHousing", "住建局工作群", secretary)
    config: dict[str, Any] = {
        "bot": {"language": "zh_Hans"},
        "people": [{"name": "王书记", "identities": ["wecom:wang"], "roles": ["supervisor"]}],
        "plugins": {"complaints": {
            "detect": True,
            "categories": {"construction": {"name": "工程质量", "keywords": ["混凝土"],
                                            "department": "housing"}},
            "departments": {"housing": {"name": "住建局", "chat": "wecom:wrkHousing"}},
        }},
    }  # fmt: skip
    app = await WecomApp(tmp_path, emu, [("complaints", hooks)], config=config).start()
    try:
        posted = await emu.say(supervisor, TEXT, group=project, images=(PHOTO,))
        assert posted is not None and posted["body"]["msgtype"] == "mixed"
        [offer_text, offer] = await emu.wait_sent(project, 2)
        assert offer_text.text == "这条消息像是在反映问题（工程质量）。"
        assert offer_text.answers == posted["body"]["msgid"]  # under his message
        assert offer.kind == "template_card" and offer.labels == ["登记为问题"]
        await emu.click(secretary, offer, "登记为问题")
        [card_text, card] = await emu.wait_sent(bureau, 2)
        assert card_text.text.startswith("📋 Q-2026-0001 · 工程质量")
        assert TEXT in card_text.text
        # the site photo is kept with the ticket; the bureau's card is an active message, which
        # carries no photo on WeCom (only a reply does), and it says so
        assert card_text.text.endswith(
            "（此消息附有照片，企业微信机器人主动发消息时无法附带照片，请在网页控制台查看。）"
        )
        assert card.labels == ["接单", "已解决", "转办", "更多…"]
        sent = await emu.wait_sent(project, 3)  # the confirmation in the thread
        assert "Q-2026-0001" in sent[2].text
        assert offer.updates and offer.updates[-1]["main_title"]["title"].startswith(
            "已登记为问题 Q-2026-0001"
        )
        inbox = await app.inbox()
        assert [kind for _, _, kind in inbox] == ["message", "button"]
    finally:
        await app.stop()
