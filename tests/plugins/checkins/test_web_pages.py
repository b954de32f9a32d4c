"""The check-ins pages of the web console (issue 17): the campaigns a person may see, a
campaign's rounds with their participation and chart, each participant's row across the rounds
(who has not reported for three weeks stands out), a round's reports with their photos, who is
on leave and who has not reported; a participant sees only their own reports; every page and
file requested as each seat."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest_asyncio

from qunzhu.core.testing import BotHarness, WebBrowser
from tests.conftest import create_pg_database, drop_pg_database

from .conftest import CAMPAIGN, GROUP, IDS, advance_to, at, config


def _photo() -> bytes:
    """A real JPEG (matplotlib brings Pillow), so that a browser draws it."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 200), (64, 140, 200)).save(out, "JPEG")
    return out.getvalue()


PHOTO = _photo()


@pytest_asyncio.fixture
async def bot_config(backend: str) -> AsyncIterator[dict[str, Any]]:
    """On SQLite and on PostgreSQL (the window function, json_array_length, the grouped reads)."""
    setup = config()
    setup["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        setup["database"] = {"url": url}
    yield setup
    if url:
        await drop_pg_database(url)


async def four_fridays(bot: BotHarness) -> dict[str, int]:
    """9, 16, 23 and 30 January: 福州 reports with a photo on the 9th and is on leave on the
    16th and 23rd; 福清 (mayor12) never reports; 晋江 (mayor11) only on the 9th; the last round
    is still open. Returns the rounds' ids by day."""
    bot.adapter.files["well.jpg"] = PHOTO
    await advance_to(bot, at(9, 9))
    await bot.send("#周报 水源地巡查完成", user="mayor1", chat=GROUP, photos=["well.jpg"])
    for uid in IDS[1:11]:
        await bot.send("#周报 完成巡查", user=uid, chat=GROUP)
    await bot.send("/leave 福州市长 2026-01-16..2026-01-23", user="wang")
    for day in (16, 23):
        await advance_to(bot, at(day, 9))
        for uid in IDS[1:10]:
            await bot.send("#周报 完成整改", user=uid, chat=GROUP)
    await advance_to(bot, at(30, 10))
    for uid in IDS[1:4]:
        await bot.send("#周报 本周无新问题", user=uid, chat=GROUP)
    from sqlalchemy import select

    from qunzhu.plugins.checkins.models import Round

    async with bot.app.db.session() as s:
        return {r.day.day: r.id for r in await s.scalars(select(Round))}


def campaign_path() -> str:
    return "/web/checkins/campaign/" + quote(CAMPAIGN, safe="")


async def test_a_leader_sees_the_campaign_its_rounds_and_who_stopped_reporting(
    bot: BotHarness,
) -> None:
    rounds = await four_fridays(bot)
    wang = await bot.open_console("wang")  # a supervisor and an owner
    assert await wang.get("/web/checkins") == 200
    row = "参与率 连续 3 期未报 水源保护周报 水源群 1月30日（周五） 进行中 25% 3/12 1 人 ⚠️"
    assert row in wang.text()
    assert await wang.get(campaign_path()) == 200
    page = wang.text()
    assert "<svg" in wang.html and 'href="/web/checkins/round/' in wang.html
    assert "有 1 人连续 3 期以上未汇报。" in page
    # 福清 first, missed the three closed rounds (the open one is not missed yet)
    assert "福清市长 3 ⚠️ 从未汇报 ✗ ✗ ✗ …" in page
    assert "晋江市长 2 1月9日（周五） ✓ ✗ ✗ …" in page
    assert "福州市长 0 1月9日（周五） ✓ — — …" in page
    assert "1月9日（周五） 92% 11/12" in page and "1月16日（周五） 82% 9/11" in page
    assert await wang.get(f"/web/checkins/round/{rounds[9]}") == 200
    page = wang.text()
    assert "1月9日（周五） 09:00–18:00 · 参与率 92% (11/12) 已汇报（11）" in page
    assert "福州市长 1月9日（周五） 09:00 水源地巡查完成 " in page
    assert "未汇报（1） 福清市长" in page
    photo = f"/web/checkins/report/{_report_id(wang.html)}/file/0"
    assert f'<img src="{photo}"' in wang.html
    assert await wang.get(photo) == 200 and wang.body == PHOTO
    assert await wang.get(f"/web/checkins/round/{rounds[16]}") == 200
    assert "请假（1） 福州市长 · 请假" in wang.text()
    assert await wang.get(f"/web/checkins/round/{rounds[30]}") == 200
    assert "尚未汇报（9） 福州市长、莆田市长" in wang.text()


def _report_id(html: str) -> str:
    start = html.index("/web/checkins/report/") + len("/web/checkins/report/")
    return html[start : html.index("/", start)]


async def test_a_participant_sees_only_their_own_reports(bot: BotHarness) -> None:
    await four_fridays(bot)
    wang = await bot.open_console("wang")
    await wang.get(f"/web/checkins/round/{(await _rounds(bot))[9]}")
    photo = f"/web/checkins/report/{_report_id(wang.html)}/file/0"
    fuzhou = await bot.open_console("mayor1")
    assert await fuzhou.get("/web/checkins") == 200
    mine = "我的汇报 汇报事项 期次 汇报内容 水源保护周报 1月9日（周五） 水源地巡查完成 照片 1"
    assert mine in fuzhou.text()
    assert "厦门市长" not in fuzhou.text() and "完成巡查" not in fuzhou.text()
    assert await fuzhou.get(photo) == 200 and fuzhou.body == PHOTO
    xiamen = await bot.open_console("mayor2")
    assert await xiamen.get(photo) == 403
    assert "水源地巡查完成" not in xiamen.text()


async def _rounds(bot: BotHarness) -> dict[int, int]:
    from sqlalchemy import select

    from qunzhu.plugins.checkins.models import Round

    async with bot.app.db.session() as s:
        return {r.day.day: r.id for r in await s.scalars(select(Round))}


SEATS = ("wang", "zhao", "mayor1", "mayor2", "liu")
#: What each seat gets on the list, the campaign, a round and 福州's photo; 401 is the login
#: note after the redirect. 赵副省长 owns the campaign without a role; 刘局长 has nothing in it.
EXPECTED = {
    "wang": (200, 200, 200, 200),
    "zhao": (200, 200, 200, 200),
    "mayor1": (200, 403, 403, 200),
    "mayor2": (200, 403, 403, 403),
    "liu": (403, 403, 403, 403),
    None: (401,) * 4,
}


async def test_every_page_and_file_as_each_seat(bot: BotHarness) -> None:
    rounds = await four_fridays(bot)
    wang = await bot.open_console("wang")
    await wang.get(f"/web/checkins/round/{rounds[9]}")
    paths = (
        "/web/checkins",
        campaign_path(),
        f"/web/checkins/round/{rounds[9]}",
        f"/web/checkins/report/{_report_id(wang.html)}/file/0",
    )
    for seat in (*SEATS, None):
        browser = WebBrowser(bot) if seat is None else await bot.open_console(seat)
        got = tuple([await browser.get(path) for path in paths])
        if seat is None:
            await browser.close()
        assert got == EXPECTED[seat], seat
        if seat in ("mayor2", "liu", None):
            assert "福州市长" not in browser.text(), seat
    liu = await bot.open_console("liu")
    assert await liu.get("/web/checkins/round/99999") == 404
    assert await liu.get("/web/checkins/campaign/nothing") == 404


async def test_a_round_still_open_is_not_marked_low_on_the_list(bot: BotHarness) -> None:
    """25 % at 10:00 on the Friday is not a bad figure yet: only a closed round's low
    participation is marked (red) on the list."""
    await four_fridays(bot)
    wang = await bot.open_console("wang")
    await wang.get("/web/checkins")
    assert '<td class="late">25%' not in wang.html and "<td>25%" in wang.html
