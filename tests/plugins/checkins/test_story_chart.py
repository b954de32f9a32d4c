"""Story 2.7: the participation of the last weeks, as text (/checkins) and as a picture (a PNG
drawn with matplotlib, sent as a photo)."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins import chart

from .conftest import GROUP, IDS, advance_to, at, config


@pytest.fixture
def bot_config(tmp_path: Path) -> dict[str, Any]:
    return config(chart_dir=str(tmp_path / "charts"))


async def _three_fridays(bot: BotHarness) -> None:
    await bot.send("/请假 2026-01-16", user=IDS[2], chat=GROUP)
    for day in (9, 16, 23):
        await advance_to(bot, at(day, 9))
        for i, uid in enumerate(IDS):
            if (i + day) % 3:  # two in three report on time
                await bot.send(f"#周报 第{day}日进展", user=uid, chat=GROUP)
        await advance_to(bot, at(day, 18))
        await bot.send("#周报 补交", user=IDS[0], chat=GROUP)  # late, every week


async def test_checkins_shows_the_last_weeks_as_text(bot: BotHarness) -> None:
    await _three_fridays(bot)
    [history] = await bot.send("/汇报情况", user="wang", chat=GROUP)
    lines = history.text.splitlines()
    assert lines[0] == "📅 水源保护周报：最近 3 次汇报"
    assert lines[1].startswith("1月9日（周五）：应报 12 人，已报 ")
    assert any(line.startswith("福州市长 ") for line in lines)
    assert history.labels == ["📊 参与图"]
    assert lines[2] == "1月16日（周五）：应报 11 人，已报 8 人（73%）"
    assert "福州市长 L✓✓" in lines  # late the first week (a report after the close)
    assert "泉州市长 ✓—✓" in lines  # on leave on the 16th
    assert "厦门市长 ✓✓✗" in lines
    assert lines[-1] == "✓ 按时  L 迟交  ✗ 未报  — 请假"


async def test_the_chart_is_a_png_photo(bot: BotHarness, tmp_path: Path) -> None:
    await _three_fridays(bot)
    [history] = await bot.send("/checkins", user="wang", chat=GROUP)
    [photo] = await bot.press(history, "参与图", user="wang")
    assert photo.reply.photo is not None
    png = Path(photo.reply.photo)
    assert png.parent == tmp_path / "charts"
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert width > 400 and height > 300
    assert photo.text.startswith("📊 水源保护周报：每次汇报的参与情况")
    assert ("1. 福州市长" in photo.text) is (chart.cjk_font() is None)
    [same] = await bot.send("/checkins chart", user="wang", chat=GROUP)
    assert same.reply.photo == photo.reply.photo  # the same data draws the same file


async def test_without_a_chinese_font_the_caption_names_the_numbered_rows(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a CJK font matplotlib would draw boxes for every name: the picture numbers the
    people and the caption, shown with the chat app's fonts, says who is who."""
    monkeypatch.setattr(chart, "cjk_font", lambda: None)
    await _three_fridays(bot)
    [photo] = await bot.send("/checkins chart", user="wang", chat=GROUP)
    caption = photo.text.splitlines()
    assert caption[1].startswith("1. 福州市长  2. 厦门市长  3. 泉州市长")
    assert caption[2] == "✓ 按时汇报  L 迟交  ✗ 未汇报  — 请假  · 已退群"
    assert Path(str(photo.reply.photo)).stat().st_size > 5000


async def test_the_chart_button_of_a_long_name_fits_telegrams_64_bytes(bot: BotHarness) -> None:
    """The 📊 button carried the campaign's name: a long Chinese name went over the 64 bytes of
    data Telegram allows on a button, and Telegram refused the whole history message."""
    long_name = "2026年汛期防汛抗旱及地质灾害防治工作周报"
    bot.config["plugins"]["checkins"]["campaigns"][0]["name"] = long_name
    await bot.restart()
    await _three_fridays(bot)
    [history] = await bot.send("/汇报情况", user="wang", chat=GROUP)
    [button] = history.reply.flat_buttons
    assert len(button.data.encode()) <= 64
    [photo] = await bot.press(history, "参与图", user="wang")
    assert photo.reply.photo is not None and photo.text.startswith(f"📊 {long_name}")


async def test_names_are_on_the_chart_on_a_machine_without_system_fonts(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh server has no Chinese font: the one the install brings (Noto Sans CJK) draws the
    names, and the caption need not number them."""
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties

    own = [f for f in font_manager.fontManager.ttflist if "mpl-data" in f.fname]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", own)  # matplotlib's DejaVu only
    chart.cjk_font.cache_clear()
    try:
        assert chart.bundled_font_file() is not None
        assert chart.cjk_font() == chart.BUNDLED_FAMILY
        found = font_manager.findfont(FontProperties(family=chart.BUNDLED_FAMILY))
        assert found == str(chart.bundled_font_file())
        await _three_fridays(bot)
        [photo] = await bot.send("/checkins chart", user="wang", chat=GROUP)
        assert "1. 福州市长" not in photo.text  # the names are in the picture
        assert Path(str(photo.reply.photo)).stat().st_size > 5000
        if shots := os.environ.get("QUNZHU_SCREENSHOTS"):  # to look at, as a person would
            Path(shots).mkdir(parents=True, exist_ok=True)
            shutil.copy(str(photo.reply.photo), Path(shots) / "checkins-chart-no-system-fonts.png")
    finally:
        chart.cjk_font.cache_clear()
        font_manager.fontManager._findfont_cached.cache_clear()  # noqa: SLF001
