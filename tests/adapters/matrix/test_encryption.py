"""Encrypted rooms (``encryption: true``, matrix-nio's e2e extra with vodozemac): the person's side
is a matrix-nio client with its own keys, so every message really is end-to-end encrypted; the
homeserver only ever sees ``m.room.encrypted``."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from qunzhu.core.model._events import ChatKind, ChatRef
from tests.adapters.matrix.conftest import MakeApp, Register, png
from tests.adapters.matrix.mxapp import MxTest
from tests.adapters.matrix.person import Person
from tests.adapters.matrix.synapse import Account, Synapse

try:
    import nio
    from nio import crypto

    _missing = None if crypto.ENCRYPTION_ENABLED else "matrix-nio's e2e extra is not installed"
except ImportError:  # pragma: no cover - the dev extra installs it
    _missing = "matrix-nio is not installed"
if _missing is not None:  # pragma: no cover - the dev extra installs matrix-nio[e2e]
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the encryption tests: {_missing}", pytrace=False)
    pytest.skip(f"{_missing} (pip install 'qunzhu[e2e]')", allow_module_level=True)

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {
    "algorithm": "m.megolm.v1.aes-sha2"}}  # fmt: skip


class SecretAna:
    """A person whose client encrypts (matrix-nio with its own store)."""

    def __init__(self, synapse: Synapse, account: Account, store: Path) -> None:
        store.mkdir()
        self.account = account
        self.client = nio.AsyncClient(
            synapse.url,
            account.user_id,
            store_path=str(store),
            config=nio.AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True),
        )

    async def start(self) -> None:
        await self.client.login(self.account.password)
        await self.client.keys_upload()

    async def sync(self) -> Any:
        response = await self.client.sync(timeout=300)
        if self.client.should_query_keys:
            await self.client.keys_query()
        return response

    async def send(self, room: str, content: dict[str, Any]) -> None:
        await self.client.room_send(room, "m.room.message", content, ignore_unverified_devices=True)

    async def next_from(self, room: str, sender: str, tries: int = 60) -> str:
        for _ in range(tries):
            response = await self.sync()
            info = response.rooms.join.get(room)
            for event in info.timeline.events if info else ():
                if getattr(event, "sender", None) == sender and hasattr(event, "body"):
                    return str(event.body)
        msg = f"nothing decryptable from {sender}"
        raise TimeoutError(msg)


@pytest_asyncio.fixture
async def secret_ana(
    synapse: Synapse, register: Register, tmp_path: Path
) -> AsyncIterator[SecretAna]:
    ana = SecretAna(synapse, await register("ana"), tmp_path / "ana-keys")
    await ana.start()
    try:
        yield ana
    finally:
        await ana.client.close()


async def encrypted_room(ana: SecretAna, bot: str) -> str:
    response = await ana.client.room_create(name="加密群", invite=[bot], initial_state=[ENCRYPTION])
    room = str(response.room_id)
    for _ in range(60):
        await ana.sync()
        joined = ana.client.rooms.get(room)
        if joined is not None and bot in joined.users:
            return room
    msg = "the bot did not join"
    raise TimeoutError(msg)


async def test_an_encrypted_room_both_ways_and_after_a_restart(
    make_app: MakeApp, secret_ana: SecretAna, bot_person: Person, plugin: MxTest, tmp_path: Path
) -> None:
    bot = bot_person.user_id
    app = await make_app(
        adapter={"encryption": True, "invites": {"allow_users": [secret_ana.account.user_id]}}
    )
    room = await encrypted_room(secret_ana, bot)
    await secret_ana.send(room, {"msgtype": "m.text", "body": "n 机密"})
    assert await secret_ana.next_from(room, bot) == "ok n 机密"

    image = png(6, 6)
    uploaded, keys = await secret_ana.client.upload(
        io.BytesIO(image), content_type="image/png", filename="x.png", encrypt=True,
        filesize=len(image),
    )  # fmt: skip
    file = {**keys, "url": uploaded.content_uri}
    await secret_ana.send(room, {"msgtype": "m.image", "body": "x.png", "file": file})
    assert await secret_ana.next_from(room, bot) == f"1 photo {len(image)} bytes: "
    assert plugin.downloads == [image]  # fetched and decrypted

    await app.restart()  # the keys are in store_path: the same device goes on
    await secret_ana.send(room, {"msgtype": "m.text", "body": "n 重启后"})
    assert await secret_ana.next_from(room, bot) == "ok n 重启后"
    assert any((tmp_path / "matrix-store").iterdir())
    kinds = {(e["sender"], e["type"]) for e in await bot_person.timeline(room)}
    assert (bot, "m.room.encrypted") in kinds and (bot, "m.room.message") not in kinds


async def test_without_encryption_an_encrypted_room_is_logged_not_handled(
    make_app: MakeApp,
    secret_ana: SecretAna,
    bot_person: Person,
    plugin: MxTest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "qunzhu.adapters.matrix")
    app = await make_app(adapter={"invites": {"allow_users": [secret_ana.account.user_id]}})
    room = await encrypted_room(secret_ana, bot_person.user_id)
    await secret_ana.send(room, {"msgtype": "m.text", "body": "n 看不见"})
    for _ in range(60):
        if any("event=matrix_undecryptable" in r.getMessage() for r in caplog.records):
            break
        await secret_ana.sync()
    else:
        pytest.fail("no event=matrix_undecryptable logged")
    assert plugin.handled == [] and app.adapter.client.olm is None


async def test_reactions_in_an_encrypted_room(
    make_app: MakeApp, secret_ana: SecretAna, bot_person: Person
) -> None:
    """matrix-nio sends reactions unencrypted even in an encrypted room (its room_send leaves
    m.reaction out); the key is visible to the homeserver, the message it is on is not. Taking
    it back finds it through ``/relations`` and redacts it."""
    bot, ana = bot_person.user_id, secret_ana.account.user_id
    app = await make_app(adapter={"encryption": True, "invites": {"allow_users": [ana]}})
    room = await encrypted_room(secret_ana, bot)
    await secret_ana.send(room, {"msgtype": "m.text", "body": "n 日报"})
    assert await secret_ana.next_from(room, bot) == "ok n 日报"
    timeline = await bot_person.timeline(room)
    target = next(e["event_id"] for e in timeline if e["sender"] == ana and "ciphertext" in str(e))
    chat = ChatRef("matrix", room, ChatKind.GROUP)

    async def bots_reactions() -> list[dict[str, Any]]:
        return [
            e
            for e in await bot_person.timeline(room)
            if e["sender"] == bot and e["content"].get("m.relates_to", {}).get("event_id") == target
        ]

    await app.adapter.react(chat, target, "👌", txn="qz-e1")
    [reaction] = await bots_reactions()
    assert reaction["type"] == "m.reaction"
    assert reaction["content"]["m.relates_to"]["key"] == "👌"
    await app.adapter.react(chat, target, "👌", removed=True, txn="qz-e2")
    assert await bots_reactions() == []  # redacted: its content is gone
