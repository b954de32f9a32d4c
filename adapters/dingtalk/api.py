"""DingTalk's open API for a robot: its access token, the send APIs, card updates, downloads.

* ``POST /v1.0/oauth2/accessToken`` (``appKey``, ``appSecret``) → ``accessToken``,
  ``expireIn`` (seconds); every other call sends it as ``x-acs-dingtalk-access-token``. It is
  kept until five minutes before it expires, and asked again after a 401.
* ``POST /v1.0/robot/groupMessages/send`` (``robotCode``, ``openConversationId``, ``msgKey``,
  ``msgParam`` as a JSON string) and ``POST /v1.0/robot/oToMessages/batchSend`` (``userIds``
  instead): active messages to a group or to people in private.
* ``POST /v1.0/im/v1.0/robot/interactiveCards/send`` (``cardTemplateId: StandardCard``,
  ``cardBizId``, ``cardData``, ``openConversationId`` or ``singleChatReceiver``) and ``PUT
  /v1.0/im/robots/interactiveCards`` (``cardBizId``, ``cardData``): a card and its update.
* ``POST /v1.0/robot/messageFiles/download`` (``robotCode``, ``downloadCode``) →
  ``downloadUrl``, valid for a short time.
* ``POST {oapi}/media/upload?access_token=…&type=image`` (multipart, the file as ``media``) →
  ``{errcode: 0, media_id}``: a photo the robot sends, as ``sampleImageMsg`` (``photoURL``: the
  media id) through the active send APIs ("上传媒体文件",
  https://open.dingtalk.com/document/orgapp/upload-media-files).
* A message's ``sessionWebhook``: ``POST`` of ``{msgtype, markdown | text, at}`` until
  ``sessionWebhookExpiredTime``; answers ``{errcode, errmsg}``.

Errors become the outbox's exceptions: 429 and errcode 130101 (a robot sends at most 20
messages a minute to a group; beyond, it is throttled) wait; 5xx and network failures retry;
other 4xx are permanent.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp

from qunzhu.core.adapter import PermanentFailure, RetryLater, TemporaryFailure

__all__ = ["OpenApi"]

#: How long DingTalk throttles a robot that sent more than 20 messages a minute to a group
#: ("每个机器人每分钟最多发送20条。如果超过20条，会限流10分钟").
THROTTLED_FOR = 600.0


class OpenApi:
    def __init__(
        self,
        api_url: str,
        client_id: str,
        secret: str,
        robot: str,
        timeout: float,
        *,
        media_url: str = "",
    ):
        self.api_url, self.client_id, self.secret, self.robot = api_url, client_id, secret, robot
        self.media_url = media_url or api_url
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.session: aiohttp.ClientSession | None = None
        self._token: tuple[str, float] | None = None

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    def _session(self) -> aiohttp.ClientSession:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        return self.session

    async def token(self) -> str:
        if self._token is not None and time.monotonic() < self._token[1]:
            return self._token[0]
        body = {"appKey": self.client_id, "appSecret": self.secret}
        answer = await self._call("POST", "/v1.0/oauth2/accessToken", body, token=False)
        expires = time.monotonic() + max(60.0, float(answer.get("expireIn", 7200)) - 300)
        self._token = (str(answer["accessToken"]), expires)
        return self._token[0]

    async def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """An open API call with the robot's token."""
        return await self._call(method, path, body, token=True)

    async def group_message(self, chat_id: str, key: str, param: dict[str, Any]) -> str:
        body = {
            "robotCode": self.robot,
            "openConversationId": chat_id,
            "msgKey": key,
            "msgParam": json.dumps(param, ensure_ascii=False),
        }
        answer = await self.call("POST", "/v1.0/robot/groupMessages/send", body)
        return str(answer.get("processQueryKey", ""))

    async def private_message(self, user_id: str, key: str, param: dict[str, Any]) -> str:
        body = {
            "robotCode": self.robot,
            "userIds": [user_id],
            "msgKey": key,
            "msgParam": json.dumps(param, ensure_ascii=False),
        }
        answer = await self.call("POST", "/v1.0/robot/oToMessages/batchSend", body)
        if user_id in (answer.get("invalidStaffIdList") or []):
            msg = f"dingtalk: {user_id} is not a member of the organisation"
            raise PermanentFailure(msg)
        if user_id in (answer.get("flowControlledStaffIdList") or []):
            raise RetryLater(THROTTLED_FOR, chat_only=True, detail="dingtalk: flow controlled")
        return str(answer.get("processQueryKey", ""))

    async def download_url(self, code: str) -> str:
        body = {"robotCode": self.robot, "downloadCode": code}
        answer = await self.call("POST", "/v1.0/robot/messageFiles/download", body)
        return str(answer.get("downloadUrl", ""))

    async def fetch(self, url: str) -> bytes:
        async with self._session().get(url, timeout=self.timeout) as response:
            response.raise_for_status()
            return await response.read()

    async def upload(self, data: bytes, filename: str) -> str:
        """Upload a photo; its ``media_id``."""
        form = aiohttp.FormData()
        form.add_field("media", data, filename=filename, content_type="application/octet-stream")
        params = {"access_token": await self.token(), "type": "image"}
        try:
            async with self._session().post(
                self.media_url + "/media/upload", data=form, params=params, timeout=self.timeout
            ) as response:
                status = response.status
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            msg = f"dingtalk: media/upload: {type(exc).__name__}"
            raise TemporaryFailure(msg) from None
        code = int(answer.get("errcode", 0) or 0) if isinstance(answer, dict) else -1
        if status == 200 and code == 0 and answer.get("media_id"):
            return str(answer["media_id"])
        msg = f"dingtalk: media/upload: {status} {code}"
        if status >= 500 or code == -1:  # -1: DingTalk is busy ("系统繁忙")
            raise TemporaryFailure(msg)
        if code in (40014, 42001):  # the token expired early: a new one on the next try
            self._token = None
            raise TemporaryFailure(msg)
        raise PermanentFailure(msg)

    async def webhook(self, url: str, body: dict[str, Any]) -> None:
        """Post to a message's session webhook."""
        try:
            async with self._session().post(url, json=body, timeout=self.timeout) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            msg = f"dingtalk: session webhook: {type(exc).__name__}"
            raise TemporaryFailure(msg) from None
        code = int(answer.get("errcode", 0) or 0) if isinstance(answer, dict) else -1
        if status == 200 and code == 0:
            return
        msg = f"dingtalk: session webhook: {status} {code} {answer.get('errmsg', '')}"
        if code == 130101 or status == 429:
            raise RetryLater(THROTTLED_FOR, chat_only=True, detail=msg)
        if status >= 500:
            raise TemporaryFailure(msg)
        raise PermanentFailure(msg)

    async def _call(
        self, method: str, path: str, body: dict[str, Any], *, token: bool
    ) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["x-acs-dingtalk-access-token"] = await self.token()
        try:
            async with self._session().request(
                method, self.api_url + path, json=body, headers=headers, timeout=self.timeout
            ) as response:
                status = response.status
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            msg = f"dingtalk: {path}: {type(exc).__name__}"
            raise TemporaryFailure(msg) from None
        if not isinstance(answer, dict):
            answer = {}
        if status == 200:
            return answer
        msg = f"dingtalk: {path}: {status} {answer.get('code', '')} {answer.get('message', '')}"
        if status == 429:
            raise RetryLater(THROTTLED_FOR, chat_only=True, detail=msg)
        if status == 401 and token:
            self._token = None  # expired or revoked: a new one on the next try
            raise TemporaryFailure(msg)
        if status >= 500:
            raise TemporaryFailure(msg)
        raise PermanentFailure(msg)
