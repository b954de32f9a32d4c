"""A person on the test homeserver, speaking the client-server API over plain HTTP (not
matrix-nio, so the adapter's own client is not what checks it): create rooms, invite, write,
reply, edit, react, share photos and locations, and read what the bot posted."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from tests.adapters.matrix.synapse import Account

_txn = itertools.count(1)
_QUIET = json.dumps(
    {
        "room": {"timeline": {"limit": 50}, "state": {"lazy_load_members": True}},
        "presence": {"not_types": ["*"]},
    }
)


def _fresh() -> str:
    """A filter for a sync without a token that Synapse has not answered before: it keeps the
    answers to initial syncs for a while and would hand back an old one."""
    return json.dumps(
        {"room": {"timeline": {"limit": 1}}, "presence": {"not_types": [uuid.uuid4().hex]}}
    )


class Person:
    def __init__(self, http: aiohttp.ClientSession, base: str, account: Account) -> None:
        self.http = http
        self.base = base
        self.account = account
        self.user_id = account.user_id
        self._headers = {"Authorization": f"Bearer {account.access_token}"}

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any
    ) -> dict[str, Any]:
        url = f"{self.base}/_matrix/client/v3{path}"
        async with self.http.request(
            method, url, json=body, headers=self._headers, params=params or None
        ) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                msg = f"{method} {path}: {resp.status} {data}"
                raise RuntimeError(msg)
            return data

    # -- rooms ---------------------------------------------------------------------------------
    async def create_room(
        self,
        *,
        name: str | None = None,
        invite: list[str] = (),
        direct: bool = False,  # type: ignore[assignment]
    ) -> str:
        body: dict[str, Any] = {
            "preset": "trusted_private_chat" if direct else "private_chat",
            "invite": list(invite),
            "is_direct": direct,
        }
        if name:
            body["name"] = name
        return str((await self.call("POST", "/createRoom", body))["room_id"])

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.call("POST", f"/rooms/{quote(room_id)}/invite", {"user_id": user_id})

    async def join(self, room_id: str) -> None:
        await self.call("POST", f"/join/{quote(room_id)}", {})

    async def leave(self, room_id: str) -> None:
        """Leave the room, or decline its invitation."""
        await self.call("POST", f"/rooms/{quote(room_id)}/leave", {})

    async def kick(self, room_id: str, user_id: str) -> None:
        await self.call("POST", f"/rooms/{quote(room_id)}/kick", {"user_id": user_id})

    async def set_name(self, room_id: str, name: str) -> None:
        path = f"/rooms/{quote(room_id)}/state/m.room.name"
        await self.call("PUT", path, {"name": name})

    async def members(self, room_id: str) -> dict[str, str]:
        data = await self.call("GET", f"/rooms/{quote(room_id)}/joined_members")
        return {u: (m.get("display_name") or "") for u, m in data["joined"].items()}

    async def invited_rooms(self) -> list[str]:
        data = await self.call("GET", "/sync", timeout="0", filter=_fresh())
        return list(data.get("rooms", {}).get("invite", {}))

    # -- writing -------------------------------------------------------------------------------
    async def send(
        self, room_id: str, content: dict[str, Any], event_type: str = "m.room.message"
    ) -> str:
        txn = f"t{next(_txn)}-{uuid.uuid4().hex[:6]}"
        path = f"/rooms/{quote(room_id)}/send/{event_type}/{txn}"
        return str((await self.call("PUT", path, content))["event_id"])

    async def say(self, room_id: str, text: str, **extra: Any) -> str:
        return await self.send(room_id, {"msgtype": "m.text", "body": text, **extra})

    async def reply(self, room_id: str, target: str, text: str, quoted: str = "") -> str:
        """A reply as Element sends it: the quoted fallback first, then the text."""
        body = f"> <@someone:x> {quoted}\n\n{text}" if quoted else text
        return await self.send(
            room_id,
            {
                "msgtype": "m.text",
                "body": body,
                "m.relates_to": {"m.in_reply_to": {"event_id": target}},
            },
        )

    async def edit(self, room_id: str, target: str, text: str) -> str:
        return await self.send(
            room_id,
            {
                "msgtype": "m.text",
                "body": f"* {text}",
                "m.new_content": {"msgtype": "m.text", "body": text},
                "m.relates_to": {"rel_type": "m.replace", "event_id": target},
            },
        )

    async def react(self, room_id: str, target: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}
        return await self.send(room_id, content, "m.reaction")

    async def redact(self, room_id: str, event_id: str) -> str:
        txn = f"r{next(_txn)}"
        path = f"/rooms/{quote(room_id)}/redact/{quote(event_id)}/{txn}"
        return str((await self.call("PUT", path, {}))["event_id"])

    async def upload(self, data: bytes, mime: str, filename: str) -> str:
        url = f"{self.base}/_matrix/media/v3/upload"
        headers = {**self._headers, "Content-Type": mime}
        async with self.http.post(
            url, data=data, headers=headers, params={"filename": filename}
        ) as resp:
            return str((await resp.json())["content_uri"])

    async def send_image(
        self, room_id: str, data: bytes, *, filename: str = "site.png", caption: str = ""
    ) -> str:
        mxc = await self.upload(data, "image/png", filename)
        content: dict[str, Any] = {
            "msgtype": "m.image",
            "url": mxc,
            "body": caption or filename,
            "info": {"mimetype": "image/png", "size": len(data), "w": 4, "h": 3},
        }
        if caption:
            content["filename"] = filename
        return await self.send(room_id, content)

    async def send_location(self, room_id: str, lat: float, lon: float, label: str) -> str:
        """As Element sends it: the geo URI, and the extensible-events form with a description."""
        uri = f"geo:{lat},{lon};u=10"
        return await self.send(
            room_id,
            {
                "msgtype": "m.location",
                "body": f"Location {uri}",
                "geo_uri": uri,
                "org.matrix.msc3488.location": {"uri": uri, "description": label},
            },
        )

    # -- reading -------------------------------------------------------------------------------
    async def timeline(self, room_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """The room's latest events, oldest first."""
        data = await self.call(
            "GET", f"/rooms/{quote(room_id)}/messages", dir="b", limit=str(limit)
        )
        return list(reversed(data["chunk"]))

    async def from_bot(self, room_id: str, bot_id: str) -> list[dict[str, Any]]:
        """The bot's messages in the room (not its edits), oldest first."""
        return [
            e
            for e in await self.timeline(room_id)
            if e["sender"] == bot_id
            and e["type"] == "m.room.message"
            and e["content"].get("m.relates_to", {}).get("rel_type") != "m.replace"
        ]

    async def wait_from_bot(
        self, room_id: str, bot_id: str, count: int, *, timeout: float = 15.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has posted at least `count` messages in the room."""
        return await wait_for(
            lambda: self.from_bot(room_id, bot_id), lambda found: len(found) >= count, timeout
        )

    async def position(self) -> str:
        """A sync token for "now" (`next_from` then sees only what comes after)."""
        data = await self.call("GET", "/sync", timeout="0", filter=_fresh())
        return str(data["next_batch"])

    async def next_from(
        self, room_id: str, sender: str, since: str, *, timeout: float = 15.0
    ) -> tuple[dict[str, Any], str]:
        """The next message (not an edit) `sender` posts in the room after `since`, seen
        through a long-poll sync (as a client sees it), and the token after it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            data = await self.call("GET", "/sync", since=since, timeout="5000", filter=_QUIET)
            since = str(data["next_batch"])
            room = data.get("rooms", {}).get("join", {}).get(room_id, {})
            for event in room.get("timeline", {}).get("events", []):
                edit = event["content"].get("m.relates_to", {}).get("rel_type") == "m.replace"
                if event["sender"] == sender and event["type"] == "m.room.message" and not edit:
                    return event, since
        msg = f"no message from {sender} in {room_id} within {timeout} s"
        raise TimeoutError(msg)

    async def event(self, room_id: str, event_id: str) -> dict[str, Any]:
        return await self.call("GET", f"/rooms/{quote(room_id)}/event/{quote(event_id)}")

    async def shown(self, room_id: str, event_id: str) -> dict[str, Any]:
        """The content of a message as a client shows it: its latest edit's ``m.new_content``
        (the homeserver names the latest edit in ``unsigned.m.relations``), else its own."""
        event = await self.event(room_id, event_id)
        latest = event.get("unsigned", {}).get("m.relations", {}).get("m.replace")
        if not latest:
            return dict(event["content"])
        edit = await self.event(room_id, latest["event_id"])
        return dict(edit["content"].get("m.new_content", event["content"]))

    async def wait_shown(
        self, room_id: str, event_id: str, done: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """Wait until the message, as shown (`shown`), is `done`."""
        return await wait_for(lambda: self.shown(room_id, event_id), done)


async def wait_for(
    fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 15.0
) -> Any:
    """Call `fetch` (async) until `done(value)`; returns the value, or fails with the last."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await fetch()
        if done(value):
            return value
        if loop.time() > deadline:
            msg = f"not reached within {timeout} s: last value {value!r}"
            raise TimeoutError(msg)
        await asyncio.sleep(0.05)
