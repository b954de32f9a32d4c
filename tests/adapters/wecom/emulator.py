"""A WeCom AI-bot long connection on loopback: people, groups, @-mentions, cards and clicks,
encrypted media, limits and error answers, for the adapter's tests (and the official SDK's).

Every behaviour follows the platform's page 智能机器人长连接,
https://developer.work.weixin.qq.com/document/path/101463, section by section:

* "建立长连接 / 订阅请求": frames are JSON ``{cmd, headers: {req_id}, body}``; the first is
  ``aibot_subscribe`` with ``bot_id`` and ``secret``; the answer has no ``cmd``, the request's
  ``req_id``, ``errcode`` (0: subscribed; here 40001 for a wrong secret) and ``errmsg``.
  "连接数量限制": one connection per bot; a new one takes over, and the old one receives an
  ``aibot_event_callback`` with ``eventtype: disconnected_event`` before it is closed.
* "接收消息回调 / 消息推送格式, 支持的消息类型": ``aibot_msg_callback`` with ``msgid``,
  ``aibotid``, ``chatid`` (groups), ``chattype`` (``single``/``group``), ``from.userid``,
  ``msgtype`` ``text`` | ``image`` | ``mixed`` | ``voice`` (its transcription in
  ``voice.content``) | ``file``, and ``quote`` when quoting. In a group only messages that
  @-mention the bot are delivered; their text begins with ``@<bot name>``. Private chats deliver
  everything.
* "多媒体资源解密": a media item is ``{url, aeskey}``; the file at ``url`` is encrypted with
  AES-256-CBC under that key (base64), IV its first 16 bytes, PKCS#7 padding to 32 bytes.
* "接收事件回调": ``aibot_event_callback`` with ``event.eventtype``: ``enter_chat``,
  ``template_card_event`` (``template_card_event.event_key``, ``task_id``, ``card_type``).
* "回复消息 / 回复普通消息, 流式消息回复机制": ``aibot_respond_msg`` with the callback's
  ``req_id``: ``stream`` (``id``, ``finish``, ``content``), ``template_card``,
  ``stream_with_template_card``; one card per message. A finished stream may carry images,
  ``stream.msg_item`` ``[{msgtype: "image", image: {base64, md5}}]`` (the SDK's
  ``reply_stream(…, msg_item)``, "图文混排项（仅在 finish=True 时有效）"; JPG or PNG, at most
  10 MB before base64, at most 10 items; a wrong md5 answers 40009 here). Active messages
  (``aibot_send_msg``) carry no image: only ``markdown`` and ``template_card``. Here a reply
  more than `reply_window` seconds after the callback, or to an unknown ``req_id``, is refused
  (errcode 40008).
* "更新模板卡片": ``aibot_respond_update_msg`` with the click's ``req_id`` within 5 seconds,
  ``template_card.task_id`` the clicked card's.
* "主动推送消息": ``aibot_send_msg`` with ``chatid`` (a group's chatid or a person's userid) and
  ``markdown`` or ``template_card``; an unknown chat answers 93006 here.
* "保持心跳": ``ping``, answered with its ``req_id`` and errcode 0.
* Limits: a robot may send 20 messages a minute to a chat; beyond, errcode 45009 ("api freq out
  of limit"); `scale` raises the count for tests that are not about limits.

Not from the page: with ``redeliver=True`` a new subscription receives again, under new
``req_id``s, every message callback that no ``aibot_respond_msg`` answered. WeCom documents no
redelivery; the crash test uses it as the worst case a platform may do (a message twice), and to
reach the messages a killed bot never read.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.support.chat_emulator import ChatEmulator

__all__ = ["Group", "Person", "WecomEmulator", "encrypt"]


def encrypt(data: bytes, aeskey: str) -> bytes:
    """``data`` as WeCom stores a media file: AES-256-CBC, IV = key[:16], PKCS#7 to 32 bytes."""
    key = base64.b64decode(aeskey + "=" * (-len(aeskey) % 4))
    pad = 32 - len(data) % 32
    padded = data + bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


@dataclass(frozen=True)
class Person:
    userid: str
    name: str


@dataclass
class Group:
    chatid: str
    name: str
    members: list[Person] = field(default_factory=list)


@dataclass
class Sent:
    """What the bot made appear in a chat."""

    chat: str
    kind: str  # markdown | stream | template_card
    text: str = ""
    card: dict[str, Any] | None = None
    answers: str | None = None  # the msgid it answers (a reply), None for an active message
    updates: list[dict[str, Any]] = field(default_factory=list)
    images: list[bytes] = field(default_factory=list)  # a finished stream's msg_item images

    @property
    def labels(self) -> list[str]:
        card = self.updates[-1] if self.updates else self.card
        return [b["text"] for b in (card or {}).get("button_list", [])]


class WecomEmulator(ChatEmulator[Sent]):
    def __init__(
        self,
        bot_id: str = "aibot-test",
        secret: str = "s3cret",
        *,
        name: str = "群助手",
        scale: float = 1000.0,
        reply_window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        redeliver: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        #: Serve TLS (``wss://``) with this context: the official SDK connects with TLS only.
        self.ssl_context = ssl_context
        self.redeliver = redeliver
        #: Every message callback pushed, by msgid; and the msgids a reply answered.
        self.pushed: dict[str, dict[str, Any]] = {}
        self.answered: set[str] = set()
        self.bot_id, self.secret, self.name = bot_id, secret, name
        super().__init__(clock, per_chat_minute=max(1, round(20 * scale)))
        self.reply_window = reply_window
        self.people: dict[str, Person] = {}
        self.groups: dict[str, Group] = {}
        self.frames: list[dict[str, Any]] = []  # every frame the bot sent, in order
        self.answer_pings = True
        self.fail_next: dict[str, int] = {}  # cmd -> errcode to answer once
        self.connections = 0
        self._subscribed = asyncio.Event()
        self._callbacks: dict[str, tuple[str, str, float]] = {}  # req_id -> (msgid, chat, at)
        self._clicks: dict[str, tuple[str, float]] = {}  # req_id -> (task_id, at)
        self._carded: set[str] = set()
        self._cards: dict[str, Sent] = {}
        self._media: dict[str, bytes] = {}
        self._ids = itertools.count(1)

    # -- the world -----------------------------------------------------------------------------

    def person(self, userid: str, name: str) -> Person:
        self.people[userid] = Person(userid, name)
        return self.people[userid]

    def group(self, chatid: str, name: str, *members: Person) -> Group:
        self.groups[chatid] = Group(chatid, name, list(members))
        return self.groups[chatid]

    @property
    def ws_url(self) -> str:
        scheme = "wss" if self.ssl_context else "ws"
        return f"{scheme}://127.0.0.1:{self.port}/"

    async def __aenter__(self) -> WecomEmulator:
        app = web.Application()
        app.router.add_get("/", self._connect)
        app.router.add_get("/media/{token}", self._download)
        await self._serve(app, self.ssl_context)
        return self

    async def subscribed(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self._subscribed.wait(), timeout)

    async def drop(self) -> None:
        """The connection breaks (network): the bot must reconnect."""
        self._subscribed.clear()
        if self._ws is not None:
            await self._ws.close()

    # -- people act ----------------------------------------------------------------------------

    def media(self, data: bytes) -> dict[str, str]:
        """Store `data` encrypted under a fresh key; the ``{url, aeskey}`` a callback carries."""
        aeskey = base64.b64encode(os.urandom(32)).decode().rstrip("=")
        token = f"m{next(self._ids)}"
        self._media[token] = encrypt(data, aeskey)
        scheme = "https" if self.ssl_context else "http"
        return {"url": f"{scheme}://127.0.0.1:{self.port}/media/{token}", "aeskey": aeskey}

    def message(
        self,
        who: Person,
        text: str = "",
        *,
        group: Group | None = None,
        mention: bool = True,
        images: tuple[bytes, ...] = (),
        voice: str | None = None,
        file: bytes | None = None,
        quote: str | None = None,
    ) -> dict[str, Any] | None:
        """The callback frame of `who` writing; None when the platform would not deliver it
        (a group message that does not @-mention the bot)."""
        if group is not None and not mention:
            return None
        if group is not None:
            text = f"@{self.name} {text}".strip()
        body: dict[str, Any] = {
            "msgid": f"msg{next(self._ids)}",
            "aibotid": self.bot_id,
            "chattype": "group" if group else "single",
            "from": {"userid": who.userid},
        }
        if group is not None:
            body["chatid"] = group.chatid
        if voice is not None:
            body |= {"msgtype": "voice", "voice": {"content": voice}}
        elif file is not None:
            body |= {"msgtype": "file", "file": self.media(file)}
        elif images and text:
            items = [{"msgtype": "text", "text": {"content": text}}]
            items += [{"msgtype": "image", "image": self.media(i)} for i in images]
            body |= {"msgtype": "mixed", "mixed": {"msg_item": items}}
        elif images:
            body |= {"msgtype": "image", "image": self.media(images[0])}
        else:
            body |= {"msgtype": "text", "text": {"content": text}}
        if quote is not None:
            body["quote"] = {"msgtype": "text", "text": {"content": quote}}
        return {
            "cmd": "aibot_msg_callback",
            "headers": {"req_id": f"cb{next(self._ids)}"},
            "body": body,
        }

    async def say(self, who: Person, text: str = "", **kwargs: Any) -> dict[str, Any] | None:
        """`who` writes (see `message`); the frame is pushed to the bot and returned."""
        frame = self.message(who, text, **kwargs)
        if frame is not None:
            await self.push(frame)
        return frame

    async def click(self, who: Person, sent: Sent, label: str) -> dict[str, Any]:
        """`who` clicks the button `label` on the card `sent`."""
        card = sent.updates[-1] if sent.updates else sent.card
        assert card is not None, "not a card"
        button = next(b for b in card["button_list"] if label in b["text"])
        chat = self.groups.get(sent.chat)
        body = {
            "msgid": f"ev{next(self._ids)}",
            "aibotid": self.bot_id,
            "chattype": "group" if chat else "single",
            "from": {"userid": who.userid},
            "msgtype": "event",
            "event": {
                "eventtype": "template_card_event",
                "template_card_event": {
                    "card_type": card["card_type"],
                    "event_key": button["key"],
                    "task_id": card["task_id"],
                },
            },
        }
        if chat:
            body["chatid"] = chat.chatid
        frame = {
            "cmd": "aibot_event_callback",
            "headers": {"req_id": f"cb{next(self._ids)}"},
            "body": body,
        }
        await self.push(frame)
        return frame

    async def push(self, frame: dict[str, Any]) -> None:
        """Hand a callback frame to the connected bot (again, for a redelivery)."""
        await self.subscribed()
        assert self._ws is not None
        body = frame["body"]
        chat = body.get("chatid") or body["from"]["userid"]
        rid = frame["headers"]["req_id"]
        if body.get("msgtype") == "event":
            task = body["event"]["template_card_event"]["task_id"]
            self._clicks[rid] = (task, self.clock())
        else:
            self._callbacks[rid] = (body["msgid"], chat, self.clock())
            self.pushed[body["msgid"]] = frame
        await self._ws.send_str(json.dumps(frame, ensure_ascii=False))

    # -- what the bot did: ChatEmulator's sent, in_chat, wait_sent -----------------------------

    # -- the server ----------------------------------------------------------------------------

    async def _connect(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for raw in ws:
            if raw.type != WSMsgType.TEXT:
                break
            frame = json.loads(raw.data)
            self.frames.append(frame)
            answer = await self._answer(ws, frame)
            if answer is not None:
                await ws.send_str(json.dumps({"headers": frame.get("headers", {}), **answer}))
        if self._ws is ws:
            self._ws = None
            self._subscribed.clear()
        return ws

    async def _answer(  # noqa: PLR0911 - one answer per command, as in the platform's table
        self, ws: web.WebSocketResponse, frame: dict[str, Any]
    ) -> dict[str, Any] | None:
        cmd, body = frame.get("cmd"), frame.get("body") or {}
        rid = str(frame.get("headers", {}).get("req_id", ""))
        if cmd in self.fail_next:
            return {"errcode": self.fail_next.pop(cmd), "errmsg": "injected"}
        if cmd == "aibot_subscribe":
            if body.get("bot_id") != self.bot_id or body.get("secret") != self.secret:
                return {"errcode": 40001, "errmsg": "invalid secret"}
            await self._take_over(ws)
            return {"errcode": 0, "errmsg": "ok"}
        if ws is not self._ws:
            return {"errcode": 40014, "errmsg": "not subscribed"}
        if cmd == "ping":
            return {"errcode": 0, "errmsg": "ok"} if self.answer_pings else None
        if cmd == "aibot_respond_msg":
            return await self._respond(rid, body)
        if cmd == "aibot_respond_update_msg":
            return await self._update(rid, body)
        if cmd == "aibot_send_msg":
            return await self._send(body)
        return {"errcode": 40008, "errmsg": f"unknown cmd {cmd}"}

    async def _take_over(self, ws: web.WebSocketResponse) -> None:
        old, self._ws = self._ws, ws
        self.connections += 1
        if old is not None and not old.closed:
            event = {"eventtype": "disconnected_event"}
            frame = {
                "cmd": "aibot_event_callback",
                "headers": {"req_id": "dc"},
                "body": {"msgtype": "event", "event": event},
            }
            await old.send_str(json.dumps(frame))
            await old.close()
        self._subscribed.set()
        if self.redeliver:
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self._redeliver()))

    async def _redeliver(self) -> None:
        for msgid, frame in list(self.pushed.items()):
            if msgid not in self.answered and self._ws is not None and not self._ws.closed:
                again = {**frame, "headers": {"req_id": f"cb{next(self._ids)}"}}
                await self.push(again)

    async def _respond(self, rid: str, body: dict[str, Any]) -> dict[str, Any]:
        found = self._callbacks.get(rid)
        if found is None or self.clock() - found[2] > self.reply_window:
            return {"errcode": 40008, "errmsg": "invalid req_id"}
        msgid, chat, _ = found
        self.answered.add(msgid)
        if self._limited(chat):
            return {"errcode": 45009, "errmsg": "api freq out of limit"}
        kind = body.get("msgtype")
        if kind in ("stream", "stream_with_template_card"):
            stream = body.get("stream", {})
            images = _images(stream.get("msg_item") or [])
            if images is None:
                return {"errcode": 40009, "errmsg": "invalid image in msg_item"}
            if stream.get("finish"):
                text = stream.get("content", "")
                await self._add(Sent(chat, "stream", text, answers=msgid, images=images))
        if kind in ("template_card", "stream_with_template_card"):
            if rid in self._carded:
                return {"errcode": 40008, "errmsg": "a message is answered by one card"}
            self._carded.add(rid)
            await self._add_card(chat, body["template_card"], answers=msgid)
        return {"errcode": 0, "errmsg": "ok"}

    async def _update(self, rid: str, body: dict[str, Any]) -> dict[str, Any]:
        found = self._clicks.get(rid)
        if found is None or self.clock() - found[1] > 5.0:
            return {"errcode": 40008, "errmsg": "the card can no longer be updated"}
        card = body.get("template_card", {})
        sent = self._cards.get(card.get("task_id", ""))
        if sent is None or card.get("task_id") != found[0]:
            return {"errcode": 40008, "errmsg": "task_id does not match the click"}
        sent.updates.append(card)
        await self._notify()
        return {"errcode": 0, "errmsg": "ok"}

    async def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        chat = str(body.get("chatid", ""))
        if chat not in self.groups and chat not in self.people:
            return {"errcode": 93006, "errmsg": "invalid chatid"}
        if self._limited(chat):
            return {"errcode": 45009, "errmsg": "api freq out of limit"}
        if body.get("msgtype") == "markdown":
            await self._add(Sent(chat, "markdown", body["markdown"]["content"]))
        elif body.get("msgtype") == "template_card":
            await self._add_card(chat, body["template_card"])
        else:
            return {"errcode": 40008, "errmsg": "unsupported msgtype"}
        return {"errcode": 0, "errmsg": "ok"}

    async def _add_card(self, chat: str, card: dict[str, Any], answers: str | None = None) -> None:
        if len(card.get("button_list", [])) > 6:
            msg = "a card holds at most 6 buttons"
            raise AssertionError(msg)
        sent = Sent(chat, "template_card", card["main_title"]["title"], card, answers)
        self._cards[card["task_id"]] = sent
        await self._add(sent)

    async def _download(self, request: web.Request) -> web.Response:
        data = self._media.get(request.match_info["token"])
        if data is None:
            raise web.HTTPNotFound
        return web.Response(body=data)


def _images(items: list[dict[str, Any]]) -> list[bytes] | None:
    """The images of a stream's ``msg_item``; None when one is not valid (not an image, its md5
    not the data's, not JPG or PNG, over 10 MB) or there are more than 10."""
    out: list[bytes] = []
    if len(items) > 10:
        return None
    for item in items:
        image = item.get("image") or {}
        if item.get("msgtype") != "image":
            return None
        try:
            data = base64.b64decode(str(image.get("base64", "")), validate=True)
        except ValueError:
            return None
        if hashlib.md5(data).hexdigest() != image.get("md5"):  # noqa: S324 - the platform's
            return None
        if not data.startswith((b"\xff\xd8", b"\x89PNG")) or len(data) > 10 * 1024 * 1024:
            return None
        out.append(data)
    return out
