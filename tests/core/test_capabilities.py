"""What a platform can hear: an adapter's `Capabilities`, the plugins' `Feature`s named at start-up
when an adapter cannot run them, and ``/help`` on a platform whose groups deliver only
@-mentions (issue 18, item 1)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pytest

from qunzhu.core import Capabilities, Capability, Feature, Hearing, hookimpl
from qunzhu.core.testing import BotHarness, MemoryAdapter

MENTIONS_ONLY = Capabilities(hearing=Hearing.MENTIONS, mention="@群助手", edits=False)


class Listener:
    @hookimpl
    def register_features(self) -> Sequence[Feature]:
        return [
            Feature("chatter", Capability.HEARS_ALL, "reads group chatter", "answers @-mentions"),
            Feature("thumbs", Capability.REACTIONS, "counts 👍 reactions", "a 👍 button"),
        ]


async def test_a_feature_a_mention_only_platform_cannot_run_is_named_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(MemoryAdapter, "capabilities", MENTIONS_ONLY)
    caplog.set_level(logging.WARNING, logger="qunzhu.app")
    bot = await BotHarness.create(workdir=tmp_path, plugins=[("listener", Listener())])
    try:
        limited = [(a, p, f.name) for a, p, f in bot.app.limited_features()]
        assert limited == [("memory", "listener", "chatter"), ("memory", "listener", "thumbs")]
        lines = [r.getMessage() for r in caplog.records if "feature_limited" in r.getMessage()]
        assert len(lines) == 2
        assert "adapter=memory plugin=listener feature=chatter needs=hears_all" in lines[0]
        assert "instead='answers @-mentions'" in lines[0]
        assert "feature=thumbs needs=reactions" in lines[1]
    finally:
        await bot.close()


async def test_every_feature_runs_where_the_platform_hears_everything(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="qunzhu.app")
    bot = await BotHarness.create(workdir=tmp_path, plugins=[("listener", Listener())])
    try:
        assert bot.app.limited_features() == []
        assert not [r for r in caplog.records if "feature_limited" in r.getMessage()]
    finally:
        await bot.close()


async def test_help_on_a_mention_only_platform_says_how_to_address_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MemoryAdapter, "capabilities", MENTIONS_ONLY)
    bot = await BotHarness.create(workdir=tmp_path, config={"bot": {"language": "zh_Hans"}})
    try:
        [answer] = await bot.send("/help", chat="village-3")
        assert answer.text.startswith(
            "在群里请 @群助手 后再写您的话，机器人只收得到 @ 它的群消息；私聊直接发就行。"
        )
    finally:
        await bot.close()


async def test_help_says_nothing_of_mentions_where_every_message_is_heard(
    tmp_path: Path,
) -> None:
    bot = await BotHarness.create(workdir=tmp_path, config={"bot": {"language": "zh_Hans"}})
    try:
        [answer] = await bot.send("/help", chat="village-3")
        assert "@" not in answer.text
    finally:
        await bot.close()


def test_writes_first_is_one_of_the_capabilities() -> None:
    from qunzhu.core import FakeClock

    adapter = MemoryAdapter(clock=FakeClock())
    assert adapter.writes_first
    adapter.writes_first = False
    assert adapter.capabilities.writes_first is False
    assert not adapter.capabilities.has(Capability.WRITES_FIRST)
    assert MemoryAdapter.capabilities.writes_first  # the class keeps its declaration


@pytest.mark.parametrize(
    ("plugin", "feature"),
    [("complaints", "group_detection"), ("checkins", "group_reports")],
)
def test_the_plugins_that_read_group_chatter_say_what_they_do_on_mention_only_platforms(
    plugin: str, feature: str
) -> None:
    from qunzhu.core.plugins import PluginSet, load_plugins

    plugins = PluginSet.collect(load_plugins((), entry_points_enabled=True))
    declared = {f.name: f for f in plugins.features[plugin]}
    assert declared[feature].needs is Capability.HEARS_ALL
    assert "@-mention" in declared[feature].instead
