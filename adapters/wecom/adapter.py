"""`WecomAdapter`: a WeCom (企业微信) AI bot on its long connection.

    adapters:
      wecom:
        bot_id: ${WECOM_BOT_ID}
        secret: ${WECOM_BOT_SECRET}
        name: 群助手

Receiving: `connection.Connection` hands every callback frame to `_on_frame`, which maps it
(`mapping`) and records it in the inbox before the next frame is read; WeCom expects no
acknowledgement of a callback, so none is sent before it is recorded. Sending: a reply to a message
received within `reply_window` answers it under that message (``aibot_respond_msg``, a finished
streaming reply, with its card and its photo, `photos`); anything else is an active message to the
group or person (``aibot_send_msg``), which can carry no photo (its text says so). One process only
(`one_process`): sending needs the connection that receives. Buttons are template cards (`render`);
a click comes back as a `ButtonPress`, and for `card_update_window` seconds after it the card can
be updated in place (``aibot_respond_update_msg``); other edits are posted as a new message (WeCom
cannot change a sent message). See docs/wecom.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from dataclasses import replace
from typing import Any, ClassVar

import aiohttp

from qunzhu.core.adapter import (
    Adapter,
    AdapterConfig,
    AdapterError,
    Attachment,
    ButtonPress,
    ButtonStyle,
    Capabilities,
    ChatRef,
    Clock,
    EventSink,
    Hearing,
    Message,
    PermanentFailure,
    Reply,
)

from .config import WecomConfig
from .connection import Connection, verdict
from .mapping import PLATFORM, Mapper
from .media import download
from .photos import stream_image
from .render import card, card_base, render
from .sdk import WsCmd, generate_req_id

__all__ = ["WecomAdapter"]

log = logging.getLogger("qunzhu.adapters.wecom")

#: How many received messages' req_ids, clicks and sent texts are remembered (bounded).
REMEMBERED = 5000
#: Sent and received texts kept per chat to find what a quote quotes.
QUOTABLE = 50
#: Under a message whose photo the bot cannot send: an active message (``aibot_send_msg``)
#: carries no image, only a reply does. In the bot's language: the adapter API gives adapters no
#: translator.
PHOTO_NOTE = {
    "zh_Hans": "（此消息附有照片，企业微信机器人主动发消息时无法附带照片，请在网页控制台查看。）",
    "zh_Hant": "（此訊息附有照片，企業微信機器人主動發訊息時無法附帶照片，請在網頁控制台查看。）",
    "en": "(This message has a photo, which the WeCom bot cannot attach to a message it sends "
    "first: see the console.)",
}
#: Under a reply whose photo could not be had or is not one WeCom takes (JPG or PNG, 10 MB).
PHOTO_FAILED_NOTE = {
    "zh_Hans": "（此消息附有照片，但未能发送，请在网页控制台查看。）",
    "zh_Hant": "（此訊息附有照片，但未能發送，請在網頁控制台查看。）",
    "en": "(This message has a photo, which could not be sent: see the console.)",
}


class WecomAdapter(Adapter):
    """A WeCom AI bot. See docs/wecom.md."""

    platform: ClassVar[str] = PLATFORM
    Config: ClassVar[type[AdapterConfig]] = WecomConfig
    config: WecomConfig
    one_process: ClassVar[str | None] = (
        "the WeCom AI bot sends through its long connection, which one process holds "
        "(a second connection of the bot ends the first)"
    )

    def __init__(self, config: WecomConfig, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        self.limits = config.limits.limits()
        self.bot_user_id = config.bot_id
        self.bot_username = config.name
        #: Groups deliver only messages that @-mention the bot; cards; no edits, no reactions;
        #: the bot may write first to anyone of its organisation.
        self.capabilities = Capabilities(
            hearing=Hearing.MENTIONS,
            mention=f"@{config.name}",
            buttons=ButtonStyle.CARDS,
            edits=False,
            reactions=False,
            writes_first=True,
        )
        self.mapper = Mapper(config.bot_id, config.name)
        self.sink: EventSink | None = None
        self.session: aiohttp.ClientSession | None = None
        self.connection: Connection | None = None
        #: msgid -> (req_id, when received): a reply within the window answers under it.
        self._callbacks: OrderedDict[str, tuple[str, float]] = OrderedDict()
        #: card task_id -> (req_id of the click, when): the card may be updated meanwhile.
        self._clicks: OrderedDict[str, tuple[str, float]] = OrderedDict()
        #: req_ids whose one card reply is spent (a message may be answered by one card).
        self._carded: OrderedDict[str, None] = OrderedDict()
        #: chat id -> recent (text, id): what a quote quotes.
        self._texts: dict[str, deque[tuple[str, str]]] = {}

    async def start(self, sink: EventSink) -> None:
        self.sink = sink
        self.connection = Connection(
            self.config.ws_url,
            self.config.bot_id,
            self.config.secret.get_secret_value(),
            self._on_frame,
            heartbeat=self.config.heartbeat,
            max_backoff=self.config.max_backoff,
            timeout=self.config.request_timeout,
        )
        self.connection.start()
        # a refused bot_id or secret stops start-up; an unreachable platform is retried
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connection.settled.wait(), self.config.request_timeout)
        if self.connection.refused is not None:
            await self.connection.stop()
            msg = (
                f"adapters.wecom: WeCom refused bot_id {self.config.bot_id!r} with this secret "
                f"({self.connection.refused}): check both in the bot's API settings"
            )
            raise AdapterError(msg)

    async def stop(self) -> None:
        if self.connection is not None:
            await self.connection.stop()

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    # -- receiving ------------------------------------------------------------------------------

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        event = self.mapper.event(frame, self.clock.now())
        if event is None or self.sink is None:
            return
        req_id = str(frame.get("headers", {}).get("req_id", ""))
        now = time.monotonic()
        if isinstance(event, ButtonPress):
            base = card_base(event.message_id)
            event = ButtonPress(
                event.event_id, event.chat, event.sender, base, event.data, event.sent_at
            )
            _remember(self._clicks, base, (req_id, now))
        elif isinstance(event, Message):
            quoted = self.mapper.quoted_text(frame.get("body") or {})
            if quoted:
                event = _with_reply_to(event, self._quoted(event.chat, quoted))
            _remember(self._callbacks, event.event_id, (req_id, now))
            self._said(event.chat, event.text, event.event_id)
        await self.sink(event)  # recorded (or a duplicate dropped) before the next frame

    def _quoted(self, chat: ChatRef, quoted: str) -> str | None:
        """The id of the recent message of `chat` whose text the quote holds (WeCom's quote
        carries the text, not the message's id)."""
        for text, message_id in reversed(self._texts.get(chat.chat_id, ())):
            if text and (text == quoted or text.startswith(quoted) or quoted.startswith(text)):
                return message_id
        return None

    def _said(self, chat: ChatRef, text: str, message_id: str) -> None:
        if len(self._texts) > REMEMBERED and chat.chat_id not in self._texts:
            self._texts.pop(next(iter(self._texts)))
        self._texts.setdefault(chat.chat_id, deque(maxlen=QUOTABLE)).append(
            (text.strip(), message_id)
        )

    # -- sending --------------------------------------------------------------------------------

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        return await self.send_keyed(chat, reply, generate_req_id("qz"))

    async def send_keyed(self, chat: ChatRef, reply: Reply, key: str) -> str:
        """A reply within the window answers under the message (with the photo, if any, in the
        finished stream); anything else is an active message, which carries no photo: its text
        then says so (not silently)."""
        names = await self.people_names(reply.mentions) if reply.mentions else {}
        rendered = render(reply, key, names)
        answering = self._answering(reply.reply_to)
        cards = list(rendered.cards)
        if answering is not None:
            image = await self._image(chat, reply.photo) if reply.photo else None
            text = rendered.text
            if reply.photo and image is None:
                text = self._noted(text, PHOTO_FAILED_NOTE)
            first = None
            if cards and answering not in self._carded:
                first = cards.pop(0)
                _remember(self._carded, answering, None)
            try:
                await self._respond(answering, text, first, image)
            except PermanentFailure as exc:  # the message can no longer be answered under it
                log.info("event=wecom_reply_as_message chat=%s reason=%s", chat.chat_id, exc)
                self._callbacks.pop(reply.reply_to or "", None)
                answering = None
                cards = list(rendered.cards)
        if answering is None:
            text = rendered.text
            if reply.photo:
                log.warning("event=wecom_photo_not_sent chat=%s reason=active", chat.chat_id)
                text = self._noted(text, PHOTO_NOTE)
            if text:
                await self._push(chat, {"msgtype": "markdown", "markdown": {"content": text}})
        for more in cards:
            await self._push(chat, {"msgtype": "template_card", "template_card": more})
        self._said(chat, reply.text, rendered.message_id)
        return rendered.message_id

    def _noted(self, text: str, notes: dict[str, str]) -> str:
        note = notes.get(self.declared.language, notes["en"])
        return f"{text}\n\n{note}".strip()

    async def _image(self, chat: ChatRef, ref: str) -> dict[str, Any] | None:
        """The photo `ref` as a stream image; None (logged) when it cannot be sent."""
        if self.session is None:
            self.session = aiohttp.ClientSession()
        try:
            return await stream_image(ref, self.session, self.download)
        except PermanentFailure as exc:
            log.warning("event=wecom_photo_not_sent chat=%s reason=%s", chat.chat_id, exc)
            return None

    def _answering(self, event_id: str | None) -> str | None:
        """The req_id that answers the message `event_id`, if it came within the window."""
        if event_id is None:
            return None
        found = self._callbacks.get(event_id)
        if found is None or time.monotonic() - found[1] > self.config.reply_window:
            return None
        return found[0]

    async def _respond(
        self,
        req_id: str,
        text: str,
        first: dict[str, Any] | None,
        image: dict[str, Any] | None = None,
    ) -> None:
        stream: dict[str, Any] = {"id": generate_req_id("stream"), "finish": True, "content": text}
        if image is not None:
            stream["msg_item"] = [image]  # only in a finished stream
        if first is not None and (text or image):
            body = {
                "msgtype": "stream_with_template_card",
                "stream": stream,
                "template_card": first,
            }
        elif first is not None:
            body = {"msgtype": "template_card", "template_card": first}
        else:
            body = {"msgtype": "stream", "stream": stream}
        answer = await self._conn().request(WsCmd.RESPONSE, body, req_id=req_id)
        verdict(answer, "reply")

    async def _push(self, chat: ChatRef, body: dict[str, Any]) -> None:
        answer = await self._conn().request(WsCmd.SEND_MSG, {"chatid": chat.chat_id, **body})
        verdict(answer, "send")

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        """Within `card_update_window` of a click on the card `message_id`: the card is updated
        in place; otherwise (WeCom cannot change a sent message) the new version is sent."""
        click = self._clicks.get(message_id)
        if click is not None and time.monotonic() - click[1] <= self.config.card_update_window:
            rendered = render(reply, message_id.removeprefix("qz"), {})
            if rendered.cards:
                update = rendered.cards[0]
            else:
                update = {
                    "card_type": "text_notice",
                    "main_title": card(message_id, rendered.text, ())["main_title"],
                    "task_id": message_id,
                }
            update["task_id"] = message_id
            body = {"response_type": "update_template_card", "template_card": update}
            answer = await self._conn().request(WsCmd.RESPONSE_UPDATE, body, req_id=click[0])
            verdict(answer, "card update")
            return
        await self.send_keyed(chat, reply, f"{message_id}-{generate_req_id('e')}")

    async def download(self, attachment: Attachment) -> bytes:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        return await download(self.session, attachment, self.config.request_timeout)

    def _conn(self) -> Connection:
        assert self.connection is not None, "the adapter was not started"
        return self.connection


def _remember(table: OrderedDict[str, Any], key: str, value: Any) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > REMEMBERED:
        table.popitem(last=False)


def _with_reply_to(message: Message, reply_to: str | None) -> Message:
    return message if reply_to is None else replace(message, reply_to=reply_to)
