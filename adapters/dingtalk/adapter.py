"""`DingtalkAdapter`: a DingTalk robot of an internal app, on Stream mode.

    adapters:
      dingtalk:
        client_id: ${DINGTALK_CLIENT_ID}
        client_secret: ${DINGTALK_CLIENT_SECRET}
        name: 群助手

Receiving: `stream.StreamConnection` hands every callback to `_on_frame`, which maps it
(`mapping`) and records it in the inbox; only then is the frame acknowledged, so a frame is
never acknowledged before it is recorded. DingTalk hands each frame to one of an app's
connections, so with several workers only the elected one connects (`receiver_key`); sending by
the open API works from every worker. Sending: a reply to a message whose session webhook
has not expired answers through it (in the same chat, mentioning people with ``atUserIds``);
anything else is an active message (``groupMessages/send`` to a group by its
``openConversationId``, ``oToMessages/batchSend`` to a person). Buttons are an interactive card
(`render`) whose clicks come back as `ButtonPress`; a card can be updated in place at any time
(``PUT interactiveCards``), while a text cannot be changed (its new version is posted). A photo
is uploaded (`photos`) and goes first, as an image message of its own. See docs/dingtalk.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from typing import Any, ClassVar

from qunzhu.core.adapter import (
    Adapter,
    AdapterConfig,
    AdapterError,
    Attachment,
    ButtonStyle,
    Capabilities,
    ChatRef,
    Clock,
    Event,
    EventSink,
    Hearing,
    Message,
    PermanentFailure,
    Reply,
    TemporaryFailure,
)

from .api import OpenApi
from .config import DingtalkConfig
from .mapping import PLATFORM, Mapper
from .photos import Photos
from .render import Rendered, card_biz_id, card_chat, render
from .sdk import CARD_TOPIC, MESSAGE_TOPIC
from .stream import StreamConnection

__all__ = ["DingtalkAdapter"]

log = logging.getLogger("qunzhu.adapters.dingtalk")

#: How many received messages' session webhooks are remembered (bounded).
REMEMBERED = 5000
#: Seconds before a session webhook's expiry at which it is no longer used.
MARGIN = 30.0
#: Under a message whose photo could not be sent (unreadable, or refused by DingTalk), in the
#: bot's language: the adapter API gives adapters no translator.
PHOTO_NOTE = {
    "zh_Hans": "（此消息附有照片，但未能发送，请在网页控制台查看。）",
    "zh_Hant": "（此訊息附有照片，但未能發送，請在網頁控制台查看。）",
    "en": "(This message has a photo, which could not be sent: see the console.)",
}
#: How many outgoing messages' keys whose photo went out are remembered (a retry of the text
#: does not post the photo again).
PHOTOS_SENT = 5000


class DingtalkAdapter(Adapter):
    """A DingTalk robot on Stream mode. See docs/dingtalk.md."""

    platform: ClassVar[str] = PLATFORM
    Config: ClassVar[type[AdapterConfig]] = DingtalkConfig
    config: DingtalkConfig

    def __init__(self, config: DingtalkConfig, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        self.limits = config.limits.limits()
        self.bot_user_id = config.robot
        self.bot_username = config.name
        #: Groups deliver only messages that @-mention the robot ("@所有人" is not delivered);
        #: cards, which can be updated; no reactions; the robot may write first to anyone of
        #: its organisation.
        self.capabilities = Capabilities(
            hearing=Hearing.MENTIONS,
            mention=f"@{config.name}",
            buttons=ButtonStyle.CARDS,
            edits=True,
            reactions=False,
            writes_first=True,
        )
        self.mapper = Mapper(config.robot, config.name)
        self.api = OpenApi(
            config.api_url,
            config.client_id,
            config.client_secret.get_secret_value(),
            config.robot,
            config.request_timeout,
            media_url=config.media_url,
        )
        self.photos = Photos(self.api)
        self._photos_sent: OrderedDict[str, None] = OrderedDict()
        self.sink: EventSink | None = None
        self.connection: StreamConnection | None = None
        #: msgId -> (session webhook, its expiry as epoch seconds).
        self._webhooks: OrderedDict[str, tuple[str, float]] = OrderedDict()

    async def start(self, sink: EventSink) -> None:
        """Check the client id and secret (an access token); the Stream connection opens in
        `start_receiving`: at once with one worker, in the elected one with several."""
        self.sink = sink
        try:
            await self.api.token()
        except PermanentFailure as exc:  # a refused client id or secret stops start-up
            raise AdapterError(self._refused(str(exc).rpartition("accessToken: ")[2])) from None
        except TemporaryFailure as exc:  # unreachable: the connection and the sender retry
            log.warning("event=dingtalk_token_not_checked error=%s", exc)

    def receiver_key(self) -> str | None:
        """One Stream connection per app: DingTalk hands each frame to one of an app's
        connections, so with several workers only the elected one connects (sending by the open
        API works from any worker)."""
        return f"dingtalk:{self.config.client_id}"

    async def start_receiving(self) -> None:
        if self.connection is not None:
            return
        self.connection = StreamConnection(
            self.config.api_url,
            self.config.client_id,
            self.config.client_secret.get_secret_value(),
            (MESSAGE_TOPIC, CARD_TOPIC),
            self._on_frame,
            max_backoff=self.config.max_backoff,
            timeout=self.config.request_timeout,
        )
        self.connection.start()
        # a refused client id or secret stops start-up; an unreachable platform is retried
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connection.settled.wait(), self.config.request_timeout)
        if self.connection.refused is not None:
            refused = self.connection.refused
            await self.stop_receiving()
            raise AdapterError(self._refused(refused))

    async def stop_receiving(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            await connection.stop()

    def _refused(self, why: str) -> str:
        return (
            f"adapters.dingtalk: DingTalk refused client_id {self.config.client_id!r} with "
            f"this secret ({why.strip()}): check both in the app's credentials"
        )

    async def stop(self) -> None:
        await self.stop_receiving()

    async def close(self) -> None:
        await self.api.close()

    # -- receiving ------------------------------------------------------------------------------

    async def _on_frame(self, topic: str, data: dict[str, Any], message_id: str) -> None:
        now = self.clock.now()
        event: Event | None
        if topic == MESSAGE_TOPIC:
            event = self.mapper.message(data, now)
            if isinstance(event, Message) and data.get("sessionWebhook"):
                expires = float(data.get("sessionWebhookExpiredTime") or 0) / 1000
                self._webhooks[event.event_id] = (str(data["sessionWebhook"]), expires)
                self._webhooks.move_to_end(event.event_id)
                while len(self._webhooks) > REMEMBERED:
                    self._webhooks.popitem(last=False)
        elif topic == CARD_TOPIC:
            event = self.mapper.press(data, message_id, now)
        else:
            return
        if event is not None and self.sink is not None:
            await self.sink(event)  # recorded (or a duplicate dropped) before the ack

    # -- sending --------------------------------------------------------------------------------

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        return await self.send_keyed(chat, reply, f"s{time.time_ns()}")

    async def send_keyed(self, chat: ChatRef, reply: Reply, key: str) -> str:
        """A photo goes first, as an image message of its own (``sampleImageMsg``); then the
        text, by session webhook, as an active message, or as a card with buttons."""
        missing = bool(reply.photo) and not await self._photo(chat, reply.photo or "", key)
        if reply.photo and not missing and not reply.text.strip() and not reply.flat_buttons:
            return f"p{key}"  # a photo alone
        names = await self.people_names(reply.mentions) if reply.mentions else {}
        webhook = self._webhook(reply.reply_to) if not reply.flat_buttons else None
        # a session webhook cannot carry an interactive card, but it can mention by userId
        rendered = _noted(render(reply, names, linked=webhook is not None), missing, self._note())
        if rendered.card is not None:
            return await self._card(chat, rendered, card_biz_id(key, chat))
        if webhook is not None:
            try:
                await self.api.webhook(webhook, _webhook_body(rendered))
                return f"w{key}"
            except PermanentFailure as exc:  # expired early, or refused: an active message
                log.info("event=dingtalk_reply_as_message chat=%s reason=%s", chat.chat_id, exc)
                self._webhooks.pop(reply.reply_to or "", None)
                rendered = _noted(render(reply, names), missing, self._note())
        param = {"title": rendered.title or "通知", "text": rendered.text}
        return await self._active(chat, "sampleMarkdown", param) or f"m{key}"

    async def _active(self, chat: ChatRef, msg_key: str, param: dict[str, Any]) -> str:
        if chat.is_direct:
            return await self.api.private_message(chat.chat_id, msg_key, param)
        return await self.api.group_message(chat.chat_id, msg_key, param)

    async def _photo(self, chat: ChatRef, ref: str, key: str) -> bool:
        """Send the photo `ref` (once per outgoing message); False when it cannot be sent (the
        text then says so: not silently). A temporary failure is the outbox's to retry."""
        if key in self._photos_sent:
            return True
        try:
            media = await self.photos.media_id(ref)
            await self._active(chat, "sampleImageMsg", {"photoURL": media})
        except PermanentFailure as exc:
            log.warning("event=dingtalk_photo_not_sent chat=%s reason=%s", chat.chat_id, exc)
            return False
        self._photos_sent[key] = None
        while len(self._photos_sent) > PHOTOS_SENT:
            self._photos_sent.popitem(last=False)
        return True

    def _note(self) -> str:
        return PHOTO_NOTE.get(self.declared.language, PHOTO_NOTE["en"])

    def _webhook(self, event_id: str | None) -> str | None:
        """The session webhook that answers the message `event_id`, while it is valid."""
        found = self._webhooks.get(event_id or "")
        if found is None or time.time() > found[1] - MARGIN:
            return None
        return found[0]

    async def _card(self, chat: ChatRef, rendered: Rendered, biz: str) -> str:
        body: dict[str, Any] = {
            "cardTemplateId": "StandardCard",
            "robotCode": self.config.robot,
            "cardBizId": biz,
            "cardData": json.dumps(rendered.card, ensure_ascii=False),
            "sendOptions": {"atUserListJson": json.dumps([{"userId": u} for u in rendered.at])},
        }
        if chat.is_direct:
            body["singleChatReceiver"] = json.dumps({"userId": chat.chat_id})
        else:
            body["openConversationId"] = chat.chat_id
        await self.api.call("POST", "/v1.0/im/v1.0/robot/interactiveCards/send", body)
        return biz

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        """A card (`message_id` a ``cardBizId`` of ours) is updated in place; a text cannot be
        changed on DingTalk, so its new version is posted."""
        if card_chat(message_id, PLATFORM) is not None:
            rendered = render(reply, {})
            card = rendered.card or {
                "config": {"autoLayout": True, "enableForward": True},
                "header": {"title": {"type": "text", "text": rendered.title}},
                "contents": [{"type": "markdown", "text": rendered.text, "id": "text"}],
            }
            body = {"cardBizId": message_id, "cardData": json.dumps(card, ensure_ascii=False)}
            await self.api.call("PUT", "/v1.0/im/robots/interactiveCards", body)
            return
        await self.send_keyed(chat, reply, f"{message_id}-e{time.time_ns()}")

    async def download(self, attachment: Attachment) -> bytes:
        """A picture of a message: its ``downloadCode`` gives a short-lived URL."""
        try:
            url = await self.api.download_url(attachment.ref)
            if not url:
                msg = "dingtalk: no download URL for this picture"
                raise AdapterError(msg)
            return await self.api.fetch(url)
        except (PermanentFailure, AdapterError) as exc:
            msg = f"dingtalk: cannot download the {attachment.kind}: {exc}"
            raise AdapterError(msg) from exc
        except Exception as exc:
            msg = f"dingtalk: cannot download the {attachment.kind}: {type(exc).__name__}"
            raise AdapterError(msg) from exc


def _noted(rendered: Rendered, missing: bool, note: str) -> Rendered:
    """`rendered` with `note` under it when its photo could not be sent."""
    if not missing:
        return rendered
    text = f"{rendered.text}\n\n{note}".strip()
    if rendered.card is not None:
        rendered.card["contents"][0]["text"] = text
    return Rendered(text, rendered.title, rendered.at, rendered.card)


def _webhook_body(rendered: Rendered) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {"title": rendered.title or "回复", "text": rendered.text},
        "at": {"atUserIds": list(rendered.at), "isAtAll": False},
    }
