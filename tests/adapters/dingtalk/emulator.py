"""DingTalk on loopback: Stream mode's connection and frames, a robot's send APIs, people,
groups, @-mentions, cards and clicks, pictures, limits and error answers, for the adapter's
tests (and the official SDK's).

Every behaviour follows a page of DingTalk's open platform (open.dingtalk.com):

* Stream mode, "Stream 模式协议接入说明"
  (https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description, and its
  fuller copy https://open-dingtalk.github.io/developerpedia/docs/learn/stream/protocol):
  ``POST /v1.0/gateway/connections/open`` with ``clientId``, ``clientSecret``,
  ``subscriptions`` (``{type, topic}``) answers ``{endpoint, ticket}`` (here 401 ``{code:
  "InvalidAuthentication"}`` for a wrong secret); the WebSocket ``endpoint?ticket=`` (a ticket
  serves once) carries frames ``{specVersion, type, headers: {appId, connectionId, contentType,
  messageId, time, topic}, data}`` of type ``SYSTEM`` (topic ``ping``, whose ``data`` the client
  acknowledges back; ``disconnect``, after which the server closes), ``EVENT`` and
  ``CALLBACK``; the client acknowledges each with ``{code: 200, headers: {messageId,
  contentType}, message, data}``. A frame not acknowledged is pushed again ("消息重试"): here on
  the next connection, or at once with `redeliver_now`.
* Receiving robot messages, "机器人接收消息" (https://open.dingtalk.com/document/orgapp/receive-message):
  topic ``/v1.0/im/bot/messages/get``; ``conversationType`` "1" private, "2" group;
  ``conversationId``, ``senderStaffId``, ``senderNick``, ``msgId``, ``createAt``,
  ``sessionWebhook`` with ``sessionWebhookExpiredTime``, ``isInAtList``, ``atUsers``; ``msgtype``
  ``text`` | ``picture`` (``content.downloadCode``) | ``richText`` (``content.richText``) |
  ``audio`` (``content.recognition``, the transcription) | ``file`` (``content.downloadCode``,
  ``fileName``) | ``video`` (``content.downloadCode``, ``duration``). In a
  group only messages that @-mention the robot are delivered, the mention taken off the text;
  "@所有人" is not delivered to robots.
* The session webhook ("机器人回复/发送消息"): ``POST`` of ``{msgtype: text|markdown, …, at:
  {atUserIds}}`` answers ``{errcode: 0}``; once expired, errcode 300001 here.
* Active messages: "机器人发送群聊消息"
  (https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message):
  ``POST /v1.0/robot/groupMessages/send`` (``robotCode``, ``openConversationId``, ``msgKey``
  ``sampleText`` | ``sampleMarkdown``, ``msgParam``); "批量发送人与机器人会话中机器人消息"
  (https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches):
  ``POST /v1.0/robot/oToMessages/batchSend`` (``userIds``), a person not in the organisation
  in ``invalidStaffIdList``. Both answer ``processQueryKey``; an unknown group 400
  ``{code: "invalidParameter.openConversationId"}``.
* The access token, "获取企业内部应用的accessToken"
  (https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app):
  ``POST /v1.0/oauth2/accessToken`` (``appKey``, ``appSecret``) → ``{accessToken, expireIn}``;
  a call without a valid ``x-acs-dingtalk-access-token`` answers 401.
* Pictures, "下载机器人接收消息的文件内容"
  (https://open.dingtalk.com/document/orgapp/download-the-file-content-of-the-robot-receiving-message):
  ``POST /v1.0/robot/messageFiles/download`` (``robotCode``, ``downloadCode``) → ``downloadUrl``.
* Photos, "上传媒体文件" (https://open.dingtalk.com/document/orgapp/upload-media-files):
  ``POST /media/upload?access_token=…&type=image`` on the older API host (oapi.dingtalk.com;
  the same token), the file as the multipart field ``media`` → ``{errcode: 0, media_id}``
  (errcode 40014 for a token that is not valid); then the message template ``sampleImageMsg``
  (``{"photoURL": media_id}``) of the robot send APIs, "机器人发送消息的类型"
  (https://open.dingtalk.com/document/orgapp/types-of-messages-sent-by-robots); an unknown
  media id is refused (400 here).
* Cards, "机器人发送互动卡片" (https://open.dingtalk.com/document/orgapp/robots-send-interactive-cards)
  and "更新机器人发送互动卡片"
  (https://open.dingtalk.com/document/orgapp/update-the-robot-to-send-interactive-cards):
  ``POST /v1.0/im/v1.0/robot/interactiveCards/send`` (``cardTemplateId: StandardCard``,
  ``cardBizId``, ``cardData``, ``openConversationId`` or ``singleChatReceiver``) and ``PUT
  /v1.0/im/robots/interactiveCards``; a click on a ``request`` button is a ``CALLBACK`` of topic
  ``/v1.0/card/instances/callback`` with ``outTrackId`` (the ``cardBizId``), ``userId`` and
  ``content`` ``{"cardPrivateData": {"actionIds": [button id], "params": {}}}``.
* Limits, "机器人发送消息频率限制": 20 messages a minute per group, beyond which the robot is
  throttled (here 429 ``{code: "Throttling"}``, and errcode 130101 on a session webhook);
  `scale` raises the count for tests that are not about limits.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.chat_emulator import ChatEmulator

__all__ = ["Group", "Person", "DingtalkEmulator", "Sent"]

MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"


@dataclass(frozen=True)
class Person:
    userid: str
    name: str
    #: Not in the robot's organisation: private messages to them are refused.
    outsider: bool = False


@dataclass
class Group:
    chatid: str  # the openConversationId
    name: str
    members: list[Person] = field(default_factory=list)


@dataclass
class Sent:
    """What the robot made appear in a chat."""

    chat: str
    kind: str  # text | markdown | card | image
    text: str = ""
    card: dict[str, Any] | None = None
    biz: str = ""
    answers: str | None = None  # the msgId whose session webhook carried it
    at: list[str] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    image: bytes = b""  # an image message's photo

    @property
    def current(self) -> dict[str, Any] | None:
        return self.updates[-1] if self.updates else self.card

    @property
    def labels(self) -> list[str]:
        return [b["label"]["text"] for b in _buttons(self.current)]

    @property
    def card_text(self) -> str:
        card = self.current or {}
        return "\n".join(c.get("text", "") for c in card.get("contents", []) if "text" in c)


def _buttons(card: dict[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in (card or {}).get("contents", []):
        if part.get("type") == "action":
            out += part.get("actions", [])
    return out


class DingtalkEmulator(ChatEmulator[Sent]):
    def __init__(
        self,
        client_id: str = "dingtestapp",
        client_secret: str = "s3cret",
        *,
        name: str = "群助手",
        scale: float = 1000.0,
        webhook_life: float = 3600.0,
        redeliver: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id, self.client_secret, self.name = client_id, client_secret, name
        super().__init__(clock, per_chat_minute=max(1, round(20 * scale)))
        self.webhook_life, self.redeliver = webhook_life, redeliver
        self.people: dict[str, Person] = {}
        self.groups: dict[str, Group] = {}
        self.acks: list[dict[str, Any]] = []  # every acknowledgement, in order
        self.opened: list[dict[str, Any]] = []  # every connections/open body
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every open API call (path, body)
        self.fail_next: dict[str, tuple[int, str]] = {}  # path -> (status, code), once
        self.connections = 0
        #: Acknowledgements are lost on the way (as if the bot died right after recording).
        self.lose_acks = False
        #: messageId -> frame pushed and not yet acknowledged.
        self.unacked: dict[str, dict[str, Any]] = {}
        self.pushed: list[dict[str, Any]] = []
        self._tickets: set[str] = set()
        self._tokens: set[str] = set()
        self._connected = asyncio.Event()
        self._webhooks: dict[str, tuple[str, str, float]] = {}  # token -> (msgId, chat, until)
        self._cards: dict[str, Sent] = {}
        self._media: dict[str, bytes] = {}
        #: media_id -> bytes of every file the robot uploaded.
        self.uploads: dict[str, bytes] = {}
        self._ids = itertools.count(1)

    # -- the world -----------------------------------------------------------------------------

    def person(self, userid: str, name: str, *, outsider: bool = False) -> Person:
        self.people[userid] = Person(userid, name, outsider)
        return self.people[userid]

    def group(self, chatid: str, name: str, *members: Person) -> Group:
        self.groups[chatid] = Group(chatid, name, list(members))
        return self.groups[chatid]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> DingtalkEmulator:
        app = web.Application()
        app.router.add_post("/v1.0/gateway/connections/open", self._open)
        app.router.add_get("/connect", self._connect)
        app.router.add_post("/v1.0/oauth2/accessToken", self._token)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._group_send)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._batch_send)
        app.router.add_post("/v1.0/robot/messageFiles/download", self._download_url)
        app.router.add_post("/v1.0/im/v1.0/robot/interactiveCards/send", self._card_send)
        app.router.add_put("/v1.0/im/robots/interactiveCards", self._card_update)
        app.router.add_post("/media/upload", self._upload)
        app.router.add_post("/webhook/{token}", self._webhook)
        app.router.add_get("/files/{token}", self._file)
        await self._serve(app)
        return self

    async def connected(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def drop(self) -> None:
        """The connection breaks (network): the robot must open a new one."""
        self._connected.clear()
        if self._ws is not None:
            await self._ws.close()

    async def ask_to_disconnect(self) -> None:
        """A ``SYSTEM`` frame of topic ``disconnect`` (the server is about to restart)."""
        await self._send_frame(self._frame("SYSTEM", "disconnect", {"reason": "restart"}))

    async def ping(self) -> dict[str, Any]:
        frame = self._frame("SYSTEM", "ping", {"opaque": secrets.token_hex(4)})
        await self._send_frame(frame)
        return frame

    # -- people act ----------------------------------------------------------------------------

    def picture(self, data: bytes) -> str:
        """Store `data`; the ``downloadCode`` a message carries."""
        code = f"dc{next(self._ids)}{secrets.token_hex(4)}"
        self._media[code] = data
        return code

    def message(
        self,
        who: Person,
        text: str = "",
        *,
        group: Group | None = None,
        mention: bool = True,
        at_all: bool = False,
        pictures: tuple[bytes, ...] = (),
        audio: str | None = None,
        file: tuple[str, bytes] | None = None,
        video: bytes | None = None,
    ) -> dict[str, Any] | None:
        """The robot message callback of `who` writing; None when the platform would not
        deliver it (a group message that does not @-mention the robot, or "@所有人")."""
        if group is not None and (not mention or at_all):
            return None
        msg_id = f"msg{next(self._ids)}{secrets.token_hex(3)}"
        chat = group.chatid if group else who.userid
        token = secrets.token_hex(8)
        until = self.clock() + self.webhook_life
        self._webhooks[token] = (msg_id, chat, until)
        data: dict[str, Any] = {
            "conversationId": chat if group else f"cid-single-{who.userid}",
            "chatbotCorpId": "dingcorp",
            "chatbotUserId": "$:LWCP_v1:$robot",
            "msgId": msg_id,
            "senderNick": who.name,
            "isAdmin": False,
            "senderStaffId": who.userid,
            "sessionWebhookExpiredTime": int(until * 1000),
            "createAt": int(self.clock() * 1000),
            "senderCorpId": "dingcorp",
            "conversationType": "2" if group else "1",
            "senderId": f"$:LWCP_v1:${who.userid}",
            "sessionWebhook": f"{self.api_url}/webhook/{token}",
            "robotCode": self.client_id,
        }
        if group is not None:
            data |= {
                "conversationTitle": group.name,
                "isInAtList": True,
                "atUsers": [{"dingtalkId": "$:LWCP_v1:$robot"}],
            }
        if audio is not None:
            content = {"duration": 3, "downloadCode": self.picture(b"amr"), "recognition": audio}
            data |= {"msgtype": "audio", "content": content}
        elif file is not None:
            content = {"downloadCode": self.picture(file[1]), "fileName": file[0]}
            data |= {"msgtype": "file", "content": content}
        elif video is not None:
            content = {"downloadCode": self.picture(video), "duration": 5, "videoType": "mp4"}
            data |= {"msgtype": "video", "content": content}
        elif pictures and text:
            items: list[dict[str, Any]] = [{"text": text}]
            items += [
                {"pictureDownloadCode": "p", "downloadCode": self.picture(p), "type": "picture"}
                for p in pictures
            ]
            data |= {"msgtype": "richText", "content": {"richText": items}}
        elif pictures:
            code = self.picture(pictures[0])
            data |= {"msgtype": "picture", "content": {"downloadCode": code}}
        else:
            data |= {"msgtype": "text", "text": {"content": f" {text}" if group else text}}
        return self._frame("CALLBACK", MESSAGE_TOPIC, data)

    async def say(self, who: Person, text: str = "", **kwargs: Any) -> dict[str, Any] | None:
        """`who` writes (see `message`); the frame is pushed to the robot and returned."""
        frame = self.message(who, text, **kwargs)
        if frame is not None:
            await self.push(frame)
        return frame

    async def click(self, who: Person, sent: Sent, label: str) -> dict[str, Any]:
        """`who` clicks the button `label` on the card `sent`."""
        button = next(b for b in _buttons(sent.current) if label in b["label"]["text"])
        assert button["actionType"] == "request", "a link opens in the browser"
        content = {"cardPrivateData": {"actionIds": [button["id"]], "params": {}}}
        data = {
            "outTrackId": sent.biz,
            "corpId": "dingcorp",
            "userId": who.userid,
            "content": json.dumps(content),
            "extension": "{}",
        }
        frame = self._frame("CALLBACK", CARD_TOPIC, data)
        await self.push(frame)
        return frame

    async def push(self, frame: dict[str, Any]) -> None:
        """Hand a frame to the connected robot; it stays unacknowledged until acknowledged."""
        await self.connected()
        self.unacked[frame["headers"]["messageId"]] = frame
        self.pushed.append(frame)
        await self._send_frame(frame)

    async def redeliver_now(self) -> None:
        for frame in list(self.unacked.values()):
            await self._send_frame(frame)

    def _frame(self, kind: str, topic: str, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "specVersion": "1.0",
            "type": kind,
            "headers": {
                "appId": self.client_id,
                "connectionId": f"conn{self.connections}",
                "contentType": "application/json",
                "messageId": f"mid{next(self._ids)}{secrets.token_hex(3)}",
                "time": str(int(self.clock() * 1000)),
                "topic": topic,
            },
            "data": json.dumps(data, ensure_ascii=False),
        }

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.send_str(json.dumps(frame, ensure_ascii=False))

    # -- what the robot did --------------------------------------------------------------------

    async def wait_acked(self, frame: dict[str, Any], timeout: float = 5.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while frame["headers"]["messageId"] in self.unacked:
            if loop.time() > deadline:
                msg = "the frame was not acknowledged"
                raise AssertionError(msg)
            await asyncio.sleep(0.01)

    # -- the server: Stream mode ---------------------------------------------------------------

    async def _open(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.opened.append(body)
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response(
                {"code": "InvalidAuthentication", "message": "clientId or secret"}, status=401
            )
        ticket = secrets.token_hex(8)
        self._tickets.add(ticket)
        return web.json_response(
            {"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": ticket}
        )

    async def _connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized(text="invalid ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        old, self._ws = self._ws, ws
        if old is not None and not old.closed:
            await old.close()
        self.connections += 1
        self._connected.set()
        if self.redeliver and self.unacked:
            asyncio.get_running_loop().call_soon(
                lambda: asyncio.ensure_future(self.redeliver_now())
            )
        async for raw in ws:
            if raw.type != WSMsgType.TEXT:
                break
            ack = json.loads(raw.data)
            if self.lose_acks:
                continue
            self.acks.append(ack)
            if ack.get("code") == 200:
                self.unacked.pop(str(ack.get("headers", {}).get("messageId", "")), None)
        if self._ws is ws:
            self._ws = None
            self._connected.clear()
        return ws

    # -- the server: the open API --------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret"}, status=400)
        token = secrets.token_hex(8)
        self._tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": 7200})

    async def _checked(self, request: web.Request) -> tuple[dict[str, Any], web.Response | None]:
        body = await request.json()
        self.calls.append((request.path, body))
        if request.headers.get("x-acs-dingtalk-access-token") not in self._tokens:
            return body, web.json_response({"code": "InvalidAuthentication"}, status=401)
        if request.path in self.fail_next:
            status, code = self.fail_next.pop(request.path)
            return body, web.json_response({"code": code, "message": "injected"}, status=status)
        if body.get("robotCode", self.client_id) != self.client_id:
            return body, web.json_response({"code": "invalidParameter.robotCode"}, status=400)
        return body, None

    def _throttled(self) -> web.Response:
        return web.json_response({"code": "Throttling", "message": "限流"}, status=429)

    async def _group_send(self, request: web.Request) -> web.Response:
        body, refused = await self._checked(request)
        if refused is not None:
            return refused
        chat = str(body.get("openConversationId", ""))
        if chat not in self.groups:
            return web.json_response({"code": "invalidParameter.openConversationId"}, status=400)
        param = json.loads(body["msgParam"])
        if (bad := self._bad_param(body["msgKey"], param)) is not None:
            return bad
        if self._limited(chat):
            return self._throttled()
        await self._add(self._message(chat, body["msgKey"], param))
        return web.json_response({"processQueryKey": f"pq{next(self._ids)}"})

    async def _batch_send(self, request: web.Request) -> web.Response:
        body, refused = await self._checked(request)
        if refused is not None:
            return refused
        invalid = []
        param = json.loads(body["msgParam"])
        if (bad := self._bad_param(body["msgKey"], param)) is not None:
            return bad
        for user in body.get("userIds", []):
            person = self.people.get(user)
            if person is None or person.outsider:
                invalid.append(user)
                continue
            if self._limited(user):
                return self._throttled()
            await self._add(self._message(user, body["msgKey"], param))
        return web.json_response(
            {"processQueryKey": f"pq{next(self._ids)}", "invalidStaffIdList": invalid}
        )

    async def _upload(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, dict(request.query)))
        if request.query.get("access_token") not in self._tokens:
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if request.query.get("type") not in ("image", "voice", "video", "file"):
            return web.json_response({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return web.json_response({"errcode": 41001, "errmsg": "缺少media参数"})
        media_id = f"@lADP{secrets.token_hex(8)}"
        self.uploads[media_id] = media.file.read()
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "media_id": media_id, "type": "image"}
        )

    def _bad_param(self, key: str, param: dict[str, Any]) -> web.Response | None:
        if key == "sampleImageMsg" and param.get("photoURL") not in self.uploads:
            return web.json_response({"code": "invalidParameter.msgParam"}, status=400)
        return None

    def _message(self, chat: str, key: str, param: dict[str, Any]) -> Sent:
        if key == "sampleImageMsg":
            return Sent(chat, "image", image=self.uploads[param["photoURL"]])
        if key == "sampleMarkdown":
            return Sent(chat, "markdown", param["text"])
        if key == "sampleText":
            return Sent(chat, "text", param["content"])
        msg = f"msgKey {key} is not emulated"
        raise AssertionError(msg)

    async def _download_url(self, request: web.Request) -> web.Response:
        body, refused = await self._checked(request)
        if refused is not None:
            return refused
        code = str(body.get("downloadCode", ""))
        if code not in self._media:
            return web.json_response({"code": "invalidParameter.downloadCode"}, status=400)
        return web.json_response({"downloadUrl": f"{self.api_url}/files/{code}"})

    async def _file(self, request: web.Request) -> web.Response:
        data = self._media.get(request.match_info["token"])
        if data is None:
            raise web.HTTPNotFound
        return web.Response(body=data)

    async def _card_send(self, request: web.Request) -> web.Response:
        body, refused = await self._checked(request)
        if refused is not None:
            return refused
        assert body.get("cardTemplateId") == "StandardCard"
        if "openConversationId" in body:
            chat = str(body["openConversationId"])
            if chat not in self.groups:
                return web.json_response(
                    {"code": "invalidParameter.openConversationId"}, status=400
                )
        else:
            chat = json.loads(body["singleChatReceiver"])["userId"]
        if self._limited(chat):
            return self._throttled()
        biz = str(body["cardBizId"])
        if biz in self._cards:  # the cardBizId is the card's idempotency key
            return web.json_response({"processQueryKey": f"pq{next(self._ids)}"})
        card = json.loads(body["cardData"])
        title = card["header"]["title"]["text"]
        sent = Sent(chat, "card", title, card, biz)
        self._cards[biz] = sent
        await self._add(sent)
        return web.json_response({"processQueryKey": f"pq{next(self._ids)}"})

    async def _card_update(self, request: web.Request) -> web.Response:
        body, refused = await self._checked(request)
        if refused is not None:
            return refused
        sent = self._cards.get(str(body.get("cardBizId", "")))
        if sent is None:
            return web.json_response({"code": "invalidParameter.cardBizId"}, status=400)
        sent.updates.append(json.loads(body["cardData"]))
        await self._notify()
        return web.json_response({"success": True})

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        found = self._webhooks.get(request.match_info["token"])
        if found is None or self.clock() > found[2]:
            return web.json_response({"errcode": 300001, "errmsg": "session webhook expired"})
        msg_id, chat, _ = found
        if self._limited(chat):
            return web.json_response({"errcode": 130101, "errmsg": "send too fast"})
        kind = body.get("msgtype")
        at = list((body.get("at") or {}).get("atUserIds") or [])
        if kind == "text":
            await self._add(Sent(chat, "text", body["text"]["content"], answers=msg_id, at=at))
        elif kind == "markdown":
            await self._add(Sent(chat, "markdown", body["markdown"]["text"], answers=msg_id, at=at))
        else:
            return web.json_response({"errcode": 40035, "errmsg": "unsupported msgtype"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})
