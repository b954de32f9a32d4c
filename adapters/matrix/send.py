"""Sending and editing: the homeserver calls behind `send_keyed` and `edit`.

A `Reply` is one ``m.room.message`` (a photo with its text as the caption), sent with the outbox
key as its **transaction id**: a message retried after a crash or a lost answer is the same
transaction, and the homeserver delivers it once. (The device stays the same across restarts,
`session`, and transaction ids are scoped to the device.) An edit is an ``m.replace`` of the
message, so a promotion's "sold out" shows everywhere it was posted. A message with buttons may
be followed by the bot's own reactions 1️⃣ 2️⃣ … (``button_reactions``), for people to tap.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nio import AsyncClient, RoomSendResponse, UploadResponse

from qunzhu.core.adapter import ChatRef, DeliveryError, Reply

from .choices import BUTTONS_KEY, keycap
from .errors import request_error, response_error
from .render import content, edit_content, image_content
from .uploads import Uploads

__all__ = ["Poster"]

log = logging.getLogger("qunzhu.adapters.matrix")
Names = Callable[[str, str], str]


class Poster:
    def __init__(
        self,
        client: AsyncClient,
        uploads: Uploads,
        names: Names,
        prepare: Callable[[str], Any] | None = None,
        *,
        button_reactions: str = "none",
        people_names: Callable[[Sequence[str]], Awaitable[dict[str, str]]] | None = None,
    ) -> None:
        self.client = client
        self.uploads = uploads
        self._names = names
        self._prepare = prepare
        self.button_reactions = button_reactions
        self.people_names = people_names
        self.sent = 0

    async def send(self, chat: ChatRef, reply: Reply, key: str | None = None) -> str:
        """Send `reply`; returns the new event's id."""
        body = await self.content(chat, reply, reply_to=reply.reply_to)
        event_id = await self.room_send(chat.chat_id, body, key)
        if self.button_reactions == "all" or (self.button_reactions == "direct" and chat.is_direct):
            await self._react(chat.chat_id, event_id, len(body.get(BUTTONS_KEY, ())), key)
        return event_id

    async def _react(self, room_id: str, event_id: str, count: int, key: str | None) -> None:
        """React 1️⃣ … to the bot's own message, one per button (ten at most), for people to tap.
        The message is delivered already: a refused reaction is logged, never retried."""
        for number in range(1, min(count, 10) + 1):
            content = {
                "m.relates_to": {
                    "rel_type": "m.annotation",
                    "event_id": event_id,
                    "key": keycap(number),
                }
            }
            try:
                await self.room_send(
                    room_id, content, f"{key}:r{number}" if key else None, "m.reaction"
                )
            except DeliveryError as exc:
                log.warning("event=matrix_button_reaction_failed room=%s error=%s", room_id, exc)
                return

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        new = await self.content(chat, reply, reply_to=None)
        await self.room_send(chat.chat_id, edit_content(new, message_id), None)

    async def content(self, chat: ChatRef, reply: Reply, *, reply_to: str | None) -> dict[str, Any]:
        room_id = chat.chat_id

        def names(user_id: str) -> str:
            return self._names(room_id, user_id)

        keys = [k for k in reply.mentions if k.startswith("matrix:")]
        people = await self.people_names(keys) if keys and self.people_names else {}
        if not reply.photo:
            return content(reply, names, reply_to=reply_to, people=people)
        photo = await self.uploads.get(reply.photo)
        return image_content(
            reply,
            names,
            url=photo.url,
            filename=photo.filename,
            info=photo.info,
            reply_to=reply_to,
            people=people,
        )

    async def upload(self, data: bytes, mime: str, filename: str) -> str:
        """Put `data` in the homeserver's media repository; returns its mxc URI."""
        try:
            response, _ = await self.client.upload(
                io.BytesIO(data), content_type=mime, filename=filename, filesize=len(data)
            )
        except DeliveryError:
            raise
        except Exception as exc:
            raise request_error(exc, "upload: ") from exc
        if not isinstance(response, UploadResponse):
            raise response_error(response, "upload: ")
        return str(response.content_uri)

    async def room_send(
        self,
        room_id: str,
        body: dict[str, Any],
        key: str | None,
        event_type: str = "m.room.message",
    ) -> str:
        if self._prepare is not None:
            self._prepare(room_id)
        try:
            response = await self.client.room_send(
                room_id,
                event_type,
                body,
                tx_id=key,
                ignore_unverified_devices=True,
            )
        except Exception as exc:
            raise request_error(exc) from exc
        if not isinstance(response, RoomSendResponse):
            raise response_error(response)
        self.sent += 1
        return str(response.event_id)
