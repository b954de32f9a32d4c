"""Several workers of one DingTalk app on one PostgreSQL (``dispatcher.shared``): only the elected
worker opens the Stream connection (DingTalk hands each frame to one of an app's connections, so
two would split the app's messages between them), and every worker can send by the open API
(issue 18 follow-up: before, each worker opened its own connection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Reply
from tests.adapters.dingtalk.dingtalkapp import DingtalkApp, DingtalkTest
from tests.adapters.dingtalk.emulator import DingtalkEmulator
from tests.support.eventually import eventually

pytestmark = [pytest.mark.postgres]


async def test_two_workers_open_one_stream_connection_and_both_can_send(
    tmp_path: Path, emu: DingtalkEmulator, pg_url: str
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    shared = {
        "database": {"url": pg_url},
        "dispatcher": {"shared": True, "poll_interval": 0.05},
    }
    apps: list[DingtalkApp] = []
    try:
        for n in range(2):
            (tmp_path / f"w{n}").mkdir()
            app = DingtalkApp(tmp_path / f"w{n}", emu, [("dingtalktest", DingtalkTest())])
            app.config = shared
            apps.append(await app.start())
        receivers = [a for a in apps if a.adapter.connection is not None]
        assert len(receivers) == 1
        assert len(emu.opened) == 1 and emu.connections == 1
        await emu.say(ana, "/echo 一次", group=works)
        [answer] = await emu.wait_sent(works, 1)
        assert answer.text == "一次"  # handled once, by one of the two workers
        [other] = [a for a in apps if a.adapter.connection is None]
        works_ref = ChatRef("dingtalk", works.chatid, ChatKind.GROUP)
        await other.adapter.send_keyed(works_ref, Reply("由另一个进程发出"), "k1")
        await eventually(lambda: [s for s in emu.in_chat(works) if s.text == "由另一个进程发出"])
        assert len(emu.opened) == 1  # the sender needs no connection of its own
    finally:
        for app in apps:
            await app.stop()
