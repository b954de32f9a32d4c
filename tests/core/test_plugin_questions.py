"""What a plugin asks the core instead of reading core tables: is a chat active
(`ctx.chat_active`, `inactive_chats`), who holds a role (`ctx.with_role`), which roles are held
(`ctx.roles_in_use`), how far sent messages got (`outbox_states`), and its translator in another
language (`ctx.translator`)."""

from __future__ import annotations

from pathlib import Path

from qunzhu.core import ChatKind, ChatRef, Context, hookimpl, inactive_chats, outbox_states
from qunzhu.core.adapter import PermanentFailure
from qunzhu.core.testing import BotHarness

PEOPLE = [
    {"name": "Wang", "identities": ["memory:wang"], "roles": ["member:housing"]},
    {"name": "Li", "identities": ["memory:li"], "roles": ["member:water", "supervisor"]},
    {"name": "Ana", "identities": ["memory:ana"], "roles": ["admin"]},
]


class Asker:
    def __init__(self) -> None:
        self.queued: list[int] = []

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        text = ctx.message.text if ctx.message else ""
        if text == "broadcast":
            for chat in ("gone", "fine"):
                out = await ctx.send(f"to {chat}", ChatRef("memory", chat, ChatKind.GROUP))
                self.queued.append(out.id)
        elif text == "progress":
            states = await outbox_states(ctx.db, [*self.queued, 99999])
            shown = [f"{states[i].status}/{states[i].attempts}" for i in self.queued]
            await ctx.reply(" ".join(shown) + f" ({len(states)} known)")
        elif text == "active?":
            here = await ctx.chat_active()
            gone = await ctx.chat_active(ChatRef("memory", "gone", ChatKind.GROUP))
            await ctx.reply(
                f"here {here}, gone {gone}, inactive {sorted(await inactive_chats(ctx.db))}"
            )
        elif text.startswith("who "):
            people = await ctx.with_role(text.removeprefix("who "))
            await ctx.reply(", ".join(p.name for p in people) or "nobody")
        elif text == "roles":
            await ctx.reply(", ".join(str(r) for r in await ctx.roles_in_use()))
        elif text == "in english":
            await ctx.reply(ctx.translator("en")("Hello"))


async def test_a_plugin_asks_the_core_about_chats_roles_and_deliveries(tmp_path: Path) -> None:
    plugin = Asker()
    bot = await BotHarness.create(
        workdir=tmp_path,
        config={"bot": {"language": "en"}, "people": PEOPLE},
        plugins=[("asker", plugin)],
    )
    bot.adapter.failure = lambda chat, reply: (
        PermanentFailure("Forbidden: bot was kicked", chat_gone=True)
        if chat.chat_id == "gone"
        else None
    )
    try:
        await bot.send("broadcast", chat="works")
        [progress] = await bot.send("progress", chat="works")
        assert progress.text == "failed/0 sent/0 (2 known)"  # attempts count retries
        [active] = await bot.send("active?", chat="works")
        assert active.text == "here True, gone False, inactive ['memory:gone']"
        [anyone] = await bot.send("who member", chat="works")
        assert anyone.text == "Wang, Li"
        [housing] = await bot.send("who member:housing", chat="works")
        assert housing.text == "Wang"
        [nobody] = await bot.send("who seller", chat="works")
        assert nobody.text == "nobody"
        [roles] = await bot.send("roles", chat="works")
        assert roles.text == "admin, member:housing, member:water, supervisor"
        [hello] = await bot.send("in english", chat="works")
        assert hello.text == "Hello"
    finally:
        await bot.close()
