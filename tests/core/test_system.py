"""app.as_plugin: a plugin's work outside any event (start-up, a web request) is one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunzhu.core import Context
from qunzhu.core.testing import BotHarness


async def test_work_outside_an_event_commits_its_messages_together(tmp_path: Path) -> None:
    bot = await BotHarness.create(workdir=tmp_path, config={"bot": {"language": "en"}})
    try:
        chat = bot.group("works")

        async def announce(ctx: Context) -> str:
            assert ctx.person.has_role("admin") and ctx.plugin == "greeter"
            await ctx.send("hotline import: 3 tickets", chat=chat)
            return "done"

        assert await bot.app.as_plugin("greeter", announce, what="web") == "done"
        await bot.app.settle()
        assert [s.text for s in bot.sent_to("works")] == ["hotline import: 3 tickets"]

        async def fails(ctx: Context) -> None:
            await ctx.send("never sent", chat=chat)
            raise ValueError("bad CSV")

        with pytest.raises(ValueError, match="bad CSV"):
            await bot.app.as_plugin("greeter", fails)
        await bot.app.settle()
        assert [s.text for s in bot.sent_to("works")] == ["hotline import: 3 tickets"]
    finally:
        await bot.close()
