"""docs/checkins.md tells the truth: its configuration loads, and its console demo
(docs/examples/checkins.txt with checkins.yaml) plays through the real console adapter and
answers as the page says."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from qunzhu.adapters.console import ConsoleAdapter, ConsoleConfig
from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.plugins import checkins

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples"


async def test_the_console_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the demo's SQLite database lands here
    plugins = PluginSet.collect(load_plugins([("checkins", checkins)], entry_points_enabled=False))
    settings = load_config(
        EXAMPLES / "checkins.yaml",
        plugin_models=plugins.section_models(),
        adapter_models={"console": ConsoleConfig},
    )
    out = io.StringIO()
    script = (EXAMPLES / "checkins.txt").read_text(encoding="utf-8")
    clock = SystemClock()
    adapter = ConsoleAdapter(ConsoleConfig(), clock=clock, stdin=io.StringIO(script), stdout=out)
    app = App.build(settings, plugins, clock=clock, adapters={"console": adapter})
    await asyncio.wait_for(app.run(), 60)

    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert not [line for line in lines if line.startswith("!")]  # no console errors
    assert "✅ 已收到 福州市长 的汇报（1/4）。" in lines
    assert "✅ 已收到 泉州市长 的汇报（3/4）。" in lines
    assert "👍 赵副省长 已阅" in lines
    assert "参与率：75%（应报 4 人，已报 3 人）" in lines
    assert "❌ 未汇报：平潭市长" in lines
    assert "📌 任务 T-2：尽快完成" in lines
    assert "📝 任务 T-1（完成现场整改）：刘局长 报告已办结。" in lines
    assert "✅ 任务 T-1 已办结：完成现场整改（刘局长 办理，王副部长 验收）" in lines
    assert any(line.startswith("[photo: ") and line.endswith(".png]") for line in lines)
    # a check-in created in chat: a bad answer asked again, the summary, paused, deleted
    assert (
        "看不懂“有空就报”是哪几天。请点按钮，或这样写：周五 9:00-18:00（每周五 9 点到 18 点）。"
        in lines
    )
    assert "时间：每周五 09:00–18:00（Asia/Shanghai）" in lines
    assert "1. 防汛周报 — 每周五 09:00–18:00 (王副部长 在聊天中创建)" in lines
    assert "✅ 已收到 福州市长 的汇报（1/3）。" in lines
    assert "只有「防汛周报」的负责人可以这样做。" in lines
    assert any(line.startswith("⏸ 已暂停「防汛周报」") for line in lines)
    assert "参与率：33%（应报 3 人，已报 1 人）" in lines
    assert "🗑 已删除「防汛周报」。以往的汇报记录都已保留。" in lines


def test_the_configuration_in_the_docs_is_valid(tmp_path: Path) -> None:
    import re

    page = (EXAMPLES.parent / "checkins.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", page, flags=re.S)
    assert block is not None
    path = tmp_path / "qunzhu.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    plugins = PluginSet.collect(load_plugins([("checkins", checkins)], entry_points_enabled=False))
    settings = load_config(
        path, plugin_models=plugins.section_models(), adapter_models={},
        env={"CHECKINS_EXPORT_TOKEN": "t"},
    )  # fmt: skip
    section = settings.plugins["checkins"]
    assert isinstance(section, checkins.config.CheckinsConfig)
    assert [c.name for c in section.campaigns] == ["水源保护周报"]
    assert [u.name for u in settings.org.values()] == ["住建局", "分管副区长", "区长"]  # org:
    assert section.units == () and settings.warnings == ()
