"""DingTalk's official Stream SDK (``dingtalk-stream``) against the emulator: it opens a
connection, receives a robot message, acknowledges it, answers by the session webhook, sends an
interactive card, gets its click and downloads a picture, all as the emulator understands them.

The SDK's open API address is read from ``DINGTALK_OPENAPI_ENDPOINT`` when it is imported, so
the test points its module constants at the emulator. The SDK calls the open API with
``requests``, which blocks its event loop: the emulator runs on a loop of its own, in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import dingtalk_stream
import dingtalk_stream.chatbot
import dingtalk_stream.stream
import pytest
import requests
from dingtalk_stream import AckMessage, ChatbotMessage

from tests.adapters.dingtalk.emulator import DingtalkEmulator

T = TypeVar("T")


class Threaded:
    """The emulator on its own event loop in a thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.emu = self.run(self._enter())

    async def _enter(self) -> DingtalkEmulator:
        return await DingtalkEmulator().__aenter__()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def go(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` on the emulator's loop without blocking this one (the SDK's)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def close(self) -> None:
        self.run(self.emu.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Threaded]:
    world = Threaded()
    api = world.emu.api_url
    client = dingtalk_stream.DingTalkStreamClient
    monkeypatch.setattr(client, "OPEN_CONNECTION_API", api + "/v1.0/gateway/connections/open")
    monkeypatch.setattr(dingtalk_stream.stream, "DINGTALK_OPENAPI_ENDPOINT", api)
    monkeypatch.setattr(dingtalk_stream.chatbot, "DINGTALK_OPENAPI_ENDPOINT", api)
    try:
        yield world
    finally:
        world.close()


class Robot(dingtalk_stream.ChatbotHandler):
    """Answers a text by the session webhook, a picture by downloading it, and ``card`` with
    an interactive card."""

    def __init__(self) -> None:
        super().__init__()
        self.logger = logging.getLogger("dingtalk-sdk-test")
        self.downloads: list[bytes] = []

    async def process(self, callback: Any) -> tuple[int, str]:
        incoming = ChatbotMessage.from_dict(callback.data)
        if incoming.message_type == "picture":
            # (not extract_image_from_incoming_message: it uploads again, to oapi.dingtalk.com)
            url = self.get_image_download_url(incoming.image_content.download_code)
            self.downloads.append(requests.get(url, timeout=5).content)
            self.reply_text("收到照片", incoming)
        elif incoming.text.content.strip() == "card":
            card = {
                "header": {"title": {"type": "text", "text": "请确认"}},
                "contents": [
                    {
                        "type": "action",
                        "id": "a",
                        "actions": [
                            {
                                "type": "button",
                                "label": {"type": "text", "text": "接单"},
                                "actionType": "request",
                                "id": "b61636b",
                            }
                        ],
                    }
                ],
            }
            assert self.reply_card(card, incoming)
        else:
            self.reply_text(f"收到：{incoming.text.content.strip()}", incoming)
        return AckMessage.STATUS_OK, "OK"


class Clicks(dingtalk_stream.CallbackHandler):
    def __init__(self) -> None:
        super().__init__()
        self.logger = logging.getLogger("dingtalk-sdk-test")
        self.got: list[dict[str, Any]] = []

    async def process(self, callback: Any) -> tuple[int, str]:
        self.got.append(callback.data)
        return AckMessage.STATUS_OK, "OK"


async def wait(check: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "not reached in time"
        await asyncio.sleep(0.05)


async def test_the_official_sdk_speaks_with_the_emulator(threaded: Threaded) -> None:
    emu = threaded.emu
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    credential = dingtalk_stream.Credential(emu.client_id, emu.client_secret)
    client = dingtalk_stream.DingTalkStreamClient(
        credential, logger=logging.getLogger("dingtalk-sdk-test")
    )
    robot, clicks = Robot(), Clicks()
    client.register_callback_handler(ChatbotMessage.TOPIC, robot)
    client.register_callback_handler(dingtalk_stream.Card_Callback_Router_Topic, clicks)
    task = asyncio.create_task(client.start())
    try:
        await threaded.go(emu.connected())
        # a group message that @-mentions the robot, answered by its session webhook
        frame = await threaded.go(emu.say(ana, "混凝土没按规范养护", group=works))
        assert frame is not None
        await wait(lambda: len(emu.in_chat(works)) == 1)
        [answer] = emu.in_chat(works)
        assert (answer.kind, answer.at) == ("text", ["ana"])
        assert answer.text == "收到：混凝土没按规范养护"
        await wait(lambda: frame["headers"]["messageId"] not in emu.unacked)
        # an interactive card by the open API (its access token first), and its click
        await threaded.go(emu.say(ana, "card", group=works))
        await wait(lambda: len(emu.in_chat(works)) == 2)
        card = emu.in_chat(works)[1]
        assert card.kind == "card" and card.labels == ["接单"]
        await threaded.go(emu.click(ana, card, "接单"))
        await wait(lambda: bool(clicks.got))
        assert clicks.got[0]["outTrackId"] == card.biz
        assert '"actionIds": ["b61636b"]' in clicks.got[0]["content"]
        # a picture in private: the SDK asks for its download URL and fetches it
        await threaded.go(emu.say(ana, pictures=(b"\xff\xd8 a photo of the site",)))
        await wait(lambda: bool(emu.in_chat(ana)))
        assert robot.downloads == [b"\xff\xd8 a photo of the site"]
    finally:
        # the SDK's start() takes a first cancellation for a network error and sleeps: the
        # second ends it; its keep-alive task is left running by the SDK
        if client.websocket is not None:
            await client.websocket.close()
        for _ in range(2):
            task.cancel()
            await asyncio.sleep(0.05)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for other in others:
            other.cancel()
        await asyncio.gather(task, *others, return_exceptions=True)
