"""A real dialog through the console: a bare number answers a number question (it used to press
Cancel), the label typed presses Cancel, and on a choice question a number still picks."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from qunzhu.adapters.console import ConsoleAdapter, ConsoleConfig
from qunzhu.core import Choice, Context, Dialog, Expect, Step, command, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.plugins import PluginSet, load_plugins


async def _done(ctx: Context, answers: dict[str, Any]) -> None:
    await ctx.reply(f"订购 {answers['kilos']} 斤，{answers['pay']}，备注：{answers['note']}")


class ShopPlugin:
    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        steps = (
            Step("kilos", "要订购多少斤？", Expect.NUMBER),
            Step(
                "pay",
                "怎么付款？",
                Expect.CHOICE,
                choices=[Choice("现金", "cash"), Choice("转账", "transfer")],
            ),
            Step("note", "备注？", optional=True),
        )
        return [Dialog("order", steps, on_done=_done)]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("order", help="Order")
        async def order(ctx: Context) -> None:
            await ctx.start_dialog("order")

        return [order]


async def transcript(script: str) -> list[str]:
    settings = load_config("bot.yaml", adapter_models={"console": ConsoleConfig})
    plugins = PluginSet.collect(load_plugins([("shop", ShopPlugin())], entry_points_enabled=False))
    out = io.StringIO()
    clock = SystemClock()
    adapter = ConsoleAdapter(ConsoleConfig(), clock=clock, stdin=io.StringIO(script), stdout=out)
    app = App.build(settings, plugins, clock=clock, adapters={"console": adapter})
    await asyncio.wait_for(app.run(), 30)
    return out.getvalue().splitlines()


@pytest.fixture(autouse=True)
def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the SQLite database lands here
    (tmp_path / "bot.yaml").write_text("bot:\n  language: zh_Hans\n", encoding="utf-8")


async def test_a_number_typed_to_a_number_question_answers_it_instead_of_pressing_cancel() -> None:
    lines = await transcript("/order\n2\n2\n1\n")
    assert lines == [
        "> [lobby] me #1: /order",
        "[lobby] qunzhu #b1:",
        "  要订购多少斤？",
        "  [取消]",
        "> [lobby] me #2: 2",  # the answer: 2 kilos
        "[lobby] qunzhu #b2:",
        "  怎么付款？",
        "  [1] 现金",
        "  [2] 转账",
        "  [3] 取消",
        "> [lobby] me #3: 2",  # a choice: a number still presses
        "[lobby] qunzhu #b3:",
        "  备注？",
        "  [跳过]  [取消]",
        "> [lobby] me #4: 1",  # a text answer: "1", not Skip
        "[lobby] qunzhu #b4 ↩ 4:",
        "  订购 2 斤，transfer，备注：1",
    ]


async def test_typing_the_label_cancels_or_skips() -> None:
    lines = await transcript("/order\n取消\n/order\n3\n现金\n跳过\n")
    assert lines[4:6] == ["> [lobby] me #2: 取消", "[lobby] qunzhu #b2:"]
    assert lines[6] == "  已取消，未保存任何内容。"
    # no "↩ 6" on the answer: the bot answered a button press (Skip), not a message
    assert lines[-2:] == ["[lobby] qunzhu #b6:", "  订购 3 斤，cash，备注：None"]
