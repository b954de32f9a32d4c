"""``qunzhu-complaints export``: every ticket to a file, read from the database directly."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.cli import main


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
