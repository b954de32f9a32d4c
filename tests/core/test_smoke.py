from qunzhu.core.testing import BotHarness


async def test_help_lists_builtin_commands(bot: BotHarness) -> None:
    replies = await bot.send("/help", user="ana", lang="en")
    assert len(replies) == 1
    assert "Commands you can use:" in replies[0].text
    assert "/whoami" in replies[0].text
