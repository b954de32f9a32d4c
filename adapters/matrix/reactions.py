"""The bot's reactions: an ``m.reaction`` behind `Adapter.react`, and its redaction.

A reaction is an ``m.reaction`` event whose ``m.relates_to`` is an ``m.annotation`` of the target
with the key, sent with the outbox key as its **transaction id**: retried after a crash or a lost
answer, it is the same transaction, and the homeserver keeps one. Any key is allowed (Matrix has
no list). A reaction the bot already has on that message (the homeserver's
``M_DUPLICATE_ANNOTATION``) counts as done.

Taking a reaction back redacts the bot's reaction event. Its id is not stored anywhere: the
homeserver is asked for the message's annotations (``/relations``), and every one the bot sent
with that key is redacted. So the reaction may come from before a restart, from another worker,
or from another client of the bot's account; a reaction the bot does not have (already removed,
or an unknown message) is nothing to do. Each redaction's transaction id derives from the outbox
key and the reaction's id, so a retried removal redacts once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlencode

from nio import AsyncClient, RoomRedactResponse

from qunzhu.core.adapter import ChatRef, DeliveryError, PermanentFailure

from .errors import request_error, response_error

__all__ = ["Reactions"]

log = logging.getLogger("qunzhu.adapters.matrix")
RoomSend = Callable[[str, dict[str, Any], str | None, str], Awaitable[str]]
_DUPLICATE = "M_DUPLICATE_ANNOTATION"
_PAGE = 100


class Reactions:
    def __init__(self, client: AsyncClient, send: RoomSend) -> None:
        self.client = client
        self._send = send

    async def react(self, chat: ChatRef, target: str, key: str, *, removed: bool, txn: str) -> None:
        room_id = chat.chat_id
        if removed:
            await self._take_back(room_id, target, key, txn)
            return
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}
        try:
            await self._send(room_id, content, txn, "m.reaction")
        except PermanentFailure as exc:
            if _DUPLICATE not in str(exc):
                raise
            log.debug("event=matrix_reaction_exists room=%s target=%s", room_id, target)

    async def _take_back(self, room_id: str, target: str, key: str, txn: str) -> None:
        for event_id in await self.mine(room_id, target, key):
            tx_id = f"{txn}-{hashlib.sha256(event_id.encode()).hexdigest()[:16]}"
            try:
                response = await self.client.room_redact(room_id, event_id, tx_id=tx_id)
            except Exception as exc:
                raise request_error(exc, "redact: ") from exc
            if not isinstance(response, RoomRedactResponse):
                raise response_error(response, "redact: ")

    async def mine(self, room_id: str, target: str, key: str) -> list[str]:
        """The ids of the bot's reactions `key` on `target`, as the homeserver knows them."""
        base = (
            f"/_matrix/client/v1/rooms/{quote(room_id, safe='')}"
            f"/relations/{quote(target, safe='')}/m.annotation"
        )
        found: list[str] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            query = {"limit": str(_PAGE), **({"from": token} if token else {})}
            body = await self._get(f"{base}?{urlencode(query)}")
            if body is None:  # the homeserver knows no such message: no reaction on it
                return found
            for event in body.get("chunk") or ():
                if self._is_mine(event, key) and isinstance(event.get("event_id"), str):
                    found.append(event["event_id"])
            token = body.get("next_batch")
            if not isinstance(token, str) or not token or token in seen:
                return found
            seen.add(token)

    def _is_mine(self, event: Any, key: str) -> bool:
        """The bot's own annotation `key` (its ``m.relates_to`` is cleartext even in an
        encrypted room); a redacted one has no content left."""
        if not isinstance(event, dict) or event.get("sender") != self.client.user_id:
            return False
        content = event.get("content")
        relates = content.get("m.relates_to") if isinstance(content, dict) else None
        return isinstance(relates, dict) and relates.get("key") == key

    async def _get(self, path: str) -> dict[str, Any] | None:
        """GET `path` as the bot: the JSON body, None for 404, else the outbox's verdict."""
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        try:
            response = await self.client.send("GET", path, headers=headers)
            async with response:
                status = response.status
                body = await response.json(content_type=None)
        except DeliveryError:
            raise
        except Exception as exc:
            raise request_error(exc, "relations: ") from exc
        if not isinstance(body, dict):
            body = {}
        if status == 200:
            return body
        if status == 404:
            return None
        error = SimpleNamespace(
            status_code=body.get("errcode"),
            message=body.get("error", ""),
            retry_after_ms=body.get("retry_after_ms"),
            transport_response=SimpleNamespace(status=status),
        )
        raise response_error(error, "relations: ")
