"""The bot reacts on Matrix (``ctx.react``), against Synapse: an ``m.reaction`` sent with the
outbox key as its transaction id, taken back by redacting it (found through ``/relations``, so it
may come from before a restart or from another client of the bot's account)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.adapters.matrix.reactions import Reactions
from qunzhu.core import Context, command, hookimpl
from qunzhu.core.commands import Command
from qunzhu.core.errors import PermanentFailure, RetryLater
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.storage._tables import OutboxRow
from tests.adapters.matrix.conftest import MakeApp, MakePerson
from tests.adapters.matrix.mxapp import MxTest
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.proxy import Proxy
from tests.adapters.matrix.synapse import Account


class Acknowledge(MxTest):
    """A report in a group gets ✅ instead of a message; /unreact takes it back."""

    @hookimpl
    def register_commands(self) -> Sequence[Command]:
        @command("unreact", help="Take the bot's ✅ back")
        async def unreact(ctx: Context, target: str) -> None:
            await ctx.react("✅", target, removed=True)

        return [*super().register_commands(), unreact]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        msg = ctx.message
        if msg is not None and not msg.chat.is_direct and msg.text.startswith("日报"):
            await ctx.react("✅")
            return
        await super().on_message(ctx)


@pytest.fixture
def plugin(tmp_path: Path) -> MxTest:
    return Acknowledge()


async def reactions_on(ana: Person, room: str, target: str) -> list[tuple[str, str]]:
    """(sender, key) of the reactions now on `target` (redacted ones have no content)."""
    return [
        (e["sender"], e["content"]["m.relates_to"]["key"])
        for e in await ana.timeline(room)
        if e["type"] == "m.reaction"
        and e["content"].get("m.relates_to", {}).get("event_id") == target
    ]


async def room_with_bot(ana: Person, bot: str) -> str:
    room = await ana.create_room(name="北部新城工程", invite=[bot])
    await wait_for(lambda: ana.members(room), lambda members: bot in members)
    return room


async def test_a_report_is_acknowledged_with_a_reaction_and_it_is_taken_back(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    ana = await person("ana")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    room = await room_with_bot(ana, bot)
    report = await ana.say(room, "日报：3号楼完成浇筑")
    await wait_for(lambda: reactions_on(ana, room, report), lambda found: found == [(bot, "✅")])
    assert await ana.from_bot(room, bot) == []  # no message for the whole room to read
    await ana.say(room, f"/unreact {report}")
    await wait_for(lambda: reactions_on(ana, room, report), lambda found: found == [])
    await app.running.settle()
    assert [status for _, status, _ in await outbox(app.running)] == ["sent", "sent"]


async def test_reactions_are_idempotent_and_removals_find_them_on_the_homeserver(
    make_app: MakeApp, person: MakePerson, bot_account: Account, bot_person: Person
) -> None:
    ana = await person("ana")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    room = await room_with_bot(ana, bot)
    target = await ana.say(room, "周报已提交")
    chat = ChatRef("matrix", room, ChatKind.GROUP)
    adapter = app.adapter

    await adapter.react(chat, target, "👌", txn="qz1")
    await adapter.react(chat, target, "👌", txn="qz1")  # a retry: the same transaction
    await adapter.react(chat, target, "👌", txn="qz2")  # already there: done
    assert await reactions_on(ana, room, target) == [(bot, "👌")]

    await ana.react(room, target, "👍")
    await bot_person.react(room, target, "👍")  # the bot's account, before this deployment
    await adapter.react(chat, target, "👍", removed=True, txn="qz3")
    assert sorted(await reactions_on(ana, room, target)) == sorted(
        [(bot, "👌"), (ana.user_id, "👍")]
    )
    await adapter.react(chat, target, "👍", removed=True, txn="qz3")  # a retry: nothing left
    await adapter.react(chat, "$no-such-event", "👍", removed=True, txn="qz4")  # nothing there
    assert sorted(await reactions_on(ana, room, target)) == sorted(
        [(bot, "👌"), (ana.user_id, "👍")]
    )


async def test_the_homeservers_refusals_are_the_outboxs_verdicts(
    make_app: MakeApp, person: MakePerson, bot_account: Account, proxy: Proxy
) -> None:
    ana = await person("ana")
    app = await make_app(homeserver=proxy.url, adapter={"invites": {"allow_users": [ana.user_id]}})
    elsewhere = await ana.create_room(name="没有机器人")  # the bot is not in it
    target = await ana.say(elsewhere, "hello")
    chat = ChatRef("matrix", elsewhere, ChatKind.GROUP)
    for removed in (False, True):
        with pytest.raises(PermanentFailure) as refused:
            await app.adapter.react(chat, target, "👌", removed=removed, txn=f"qz{removed}")
        assert refused.value.chat_gone, refused.value
    room = await room_with_bot(ana, bot_account.user_id)
    target = await ana.say(room, "hello")
    proxy.limit("other", 1, retry_after_ms=400)  # the /relations lookup is told to wait
    with pytest.raises(RetryLater) as wait:
        await app.adapter.react(
            ChatRef("matrix", room, ChatKind.GROUP), target, "👌", removed=True, txn="qz9"
        )
    assert wait.value.seconds == 0.4


def test_only_the_bots_own_reaction_with_that_key_is_taken_back() -> None:
    reactions = Reactions(SimpleNamespace(user_id="@bot:x"), send=None)  # type: ignore[arg-type]
    relates = {"rel_type": "m.annotation", "event_id": "$t", "key": "👌"}
    assert reactions._is_mine({"sender": "@bot:x", "content": {"m.relates_to": relates}}, "👌")
    encrypted = {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "…", "m.relates_to": relates}
    assert reactions._is_mine({"sender": "@bot:x", "content": encrypted}, "👌")
    assert not reactions._is_mine({"sender": "@bot:x", "content": {"m.relates_to": relates}}, "👍")
    assert not reactions._is_mine({"sender": "@ana:x", "content": {"m.relates_to": relates}}, "👌")
    assert not reactions._is_mine({"sender": "@bot:x", "content": {}}, "👌")  # redacted


async def outbox(app: Any) -> list[tuple[str, str, str | None]]:
    async with app.db.session() as s:
        rows = await s.execute(
            select(OutboxRow.action, OutboxRow.status, OutboxRow.error).order_by(OutboxRow.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]
