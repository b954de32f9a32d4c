"""``qunzhu complaints export``: every ticket to a file, read from the database directly."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.cli import main
from tests.support.demo import ENTRY_POINT, run_demo

ROOT = Path(__file__).parents[3]


async def test_export_to_xlsx_and_csv(bot: BotHarness, tmp_path: Path) -> None:
    [offer] = await bot.send("三标段混凝土没按规范养护", user="jian", chat="工地", photos=["p"])
    await bot.press(offer, 1, user="wang")
    config = bot.workdir / "qunzhu.yaml"  # the harness's own config file: same database
    runner = CliRunner()
    out = tmp_path / "all.xlsx"
    args = ["export", "-c", str(config), "--format", "xlsx", "-o", str(out), "--lang", "en"]
    result = await asyncio.to_thread(runner.invoke, main, args)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Number", "Status", "Category")
    assert rows[1][:4] == ("Q-2026-0001", "assigned", "Construction quality", "住建局")
    out = tmp_path / "all.csv"
    args = ["export", "-c", str(config), "--format", "csv", "-o", str(out)]
    result = await asyncio.to_thread(runner.invoke, main, args)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("编号,状态,类别")


async def test_export_says_why_a_ticket_was_not_handled(bot: BotHarness, tmp_path: Path) -> None:
    await bot.send("/ticket 热线投诉：村口路灯不亮", user="wang", chat="村民群")  # unrouted
    [card] = bot.sent_to("督查组")
    [menu] = await bot.press(card, "更多…", user="wang")
    await bot.press(menu, "不予受理", user="wang")
    await bot.send("路灯属供电公司维护，已转告", user="wang", chat="督查组")
    out = tmp_path / "all.csv"
    args = ["export", "-c", str(bot.workdir / "qunzhu.yaml"), "--format", "csv", "-o", str(out)]
    result = await asyncio.to_thread(CliRunner().invoke, main, args)
    assert result.exit_code == 0, result.output
    header, row = csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    record = dict(zip(header, row, strict=True))
    assert (record["状态"], record["不予受理/重复/退回原因"], record["紧急"]) == (
        "不予受理",
        "路灯属供电公司维护，已转告",
        "否",
    )
    assert record["关闭时间"] == "2026-01-05 09:00"


@pytest.mark.slow
def test_the_console_demo_runs_as_documented(tmp_path: Path) -> None:
    """`qunzhu run -c docs/examples/complaints.yaml < docs/examples/complaints.txt`."""
    out = run_demo(
        tmp_path,
        "examples/complaints.txt",
        "-c",
        "docs/examples/complaints.yaml",
        command=ENTRY_POINT,
    )
    assert out.stderr == ""
    text = out.stdout
    assert "这条消息像是在反映问题（工程质量）。" in text
    assert "📋 Q-2026-0001 · 工程质量" in text
    assert "问题解决了吗？" in text
    assert "谢谢！您对 Q-2026-0001 的办理评价：★★★★★" in text
    assert "反映人：匿名" in text
    assert "已登记为问题 Q-2026-0002（环境卫生），已转 环卫所 办理。" in text
    assert "Q-2026-0002 已退回督查组，由督查组重新派单。" in text  # 非本部门职责
    assert "环卫所 退回：停车场由景区管委会负责保洁" in text  # the supervision group's card
    assert "Q-2026-0002 已转由 北部新城管委会 办理。" in text
    assert "Q-2026-0001 当前已是“已确认解决”。" in text  # not a ticket to merge into
    assert "Q-2026-0004 已并入 Q-2026-0003：该问题共有 2 人反映。" in text


@pytest.mark.slow
def test_the_desk_demo_runs_as_documented(tmp_path: Path) -> None:
    """`qunzhu run -c docs/examples/desk.yaml < docs/examples/desk.txt`: 30 groups, problems
    in three, three villagers about one heap of garbage; the leader's desk, a member's."""
    out = run_demo(
        tmp_path, "examples/desk.txt", "-c", "docs/examples/desk.yaml", command=ENTRY_POINT
    )
    assert out.stderr == ""
    text = out.stdout
    assert "📋 问题台 · 全部：共 3 件（超期 0 · 未受理 3 · 本周 3）· 第 1/1 页" in text
    assert "“村口垃圾堆了一个星期没人管，臭气熏天” · 村03群 · 刚刚 · 👥 3人反映" in text
    assert "只有单位负责人和督查人员可以交办。" in text  # 小吴, a member of 东湖镇
    assert "Q-2026-0001 已交环卫所办理，限" in text
    assert "📌 李书记批示：请今天之内清运，清运后拍照回报（限" in text
    assert "👥 另有 2 人反映同一问题" in text
    assert text.count("您反映的问题 Q-2026-0001 已被接单，正在办理。") == 3  # each villager
    assert "📋 问题台 · 未受理：共 2 件" in text
    assert "村01群" not in text.split("/问题台")[1]  # chatter is not a problem
