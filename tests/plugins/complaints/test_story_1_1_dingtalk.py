"""Story 1.1 over DingTalk's Stream mode (the adapter against the emulator, issue 18): the site
supervisor @-mentions the robot with a photo and the text (a richText message), the offer is an
interactive card in the group, the secretary's click files it, and the bureau's group receives
the ticket's card, under the site photo (uploaded as a media file); the offer's card is updated in
place (DingTalk's cards can be updated at any
time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from qunzhu.plugins.complaints import hooks
from tests.adapters.dingtalk.dingtalkapp import DingtalkApp, Watch
from tests.adapters.dingtalk.emulator import DingtalkEmulator

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"
PHOTO = b"\xff\xd8\xff\xe0 site photo " * 40


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[DingtalkEmulator]:
    async with DingtalkEmulator() as emulator:
        yield emulator


async def test_story_1_1_on_dingtalk(tmp_path: Path, emu: DingtalkEmulator) -> None:
    supervisor, secretary = emu.person("chen", "老陈"), emu.person("wang", "王书记")
    project = emu.group("cidProject==", "北部新城工程", supervisor, secretary)
    bureau = emu.group("cidHousing==", "住建局工作群", secretary)
    config: dict[str, Any] = {
        "bot": {"language": "zh_Hans"},
        "people": [{"name": "王书记", "identities": ["dingtalk:wang"], "roles": ["supervisor"]}],
        "plugins": {"complaints": {
            "detect": True,
            "categories": {"construction": {"name": "工程质量", "keywords": ["混凝土"],
                                            "department": "housing"}},
            "departments": {"housing": {"name": "住建局", "chat": "dingtalk:cidHousing=="}},
        }},
    }  # fmt: skip
    app = await DingtalkApp(tmp_path, emu, [("complaints", hooks)], config=config).start()
    seen = Watch(emu)
    try:
        posted = await emu.say(supervisor, TEXT, group=project, pictures=(PHOTO,))
        assert posted is not None and '"msgtype": "richText"' in posted["data"]
        offer = Watch.card(await seen.new(project))
        assert offer.card_text == "这条消息像是在反映问题（工程质量）。"
        assert offer.labels == ["登记为问题"]
        await emu.click(secretary, offer, "登记为问题")
        arrived = await seen.new(bureau)
        card = Watch.card(arrived)
        assert card.card_text.startswith("📋 Q-2026-0001 · 工程质量")
        assert TEXT in card.card_text
        # the site photo goes first, as an image message: downloaded by its code, uploaded
        assert [s.kind for s in arrived] == ["image", "card"]
        assert arrived[0].image == PHOTO
        assert "照片" not in card.card_text  # no note: nothing is missing
        assert card.labels == ["接单", "已解决", "转办", "更多…"]
        confirmation = Watch.texts(await seen.new(project))
        assert "Q-2026-0001" in confirmation[-1]
        assert offer.updates and offer.card_text.startswith("已登记为问题 Q-2026-0001")
        inbox = await app.inbox()
        assert [kind for _, _, kind in inbox] == ["message", "button"]
    finally:
        await app.stop()
