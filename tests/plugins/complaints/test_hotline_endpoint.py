"""The hotline endpoint never answers 500: every body it cannot take gets a 4xx and a reason
(``{"error": ...}``), the body limit is the documented 5 MiB, and two posts of the same record
at once file one ticket (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import copy
import io
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints import hooks, hotline
from qunzhu.plugins.complaints.hotline_body import MAX_BODY
from qunzhu.plugins.complaints.models import Ticket
from tests.conftest import create_pg_database, drop_pg_database

from .conftest import CONFIG


def _config() -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    return config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return _config()


@pytest_asyncio.fixture
async def any_bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    config = _config()
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        config["database"] = {"url": url}
    bot = await BotHarness.create(workdir=tmp_path, config=config, plugins=[("complaints", hooks)])
    try:
        yield bot
    finally:
        await bot.close()
        if url:
            await drop_pg_database(url)


async def _post(bot: BotHarness, body: bytes, kind: str = "application/json") -> Any:
    url = f"http://127.0.0.1:{bot.app.web.port}/complaints/hotline"
    headers = {"Authorization": "Bearer s3cret", "Content-Type": kind}
    data = io.BytesIO(body)  # aiohttp warns of large raw bytes
    async with aiohttp.ClientSession() as http, http.post(url, data=data, headers=headers) as r:
        data = await r.json()
    await bot.app.settle()
    return r.status, data


async def _count(bot: BotHarness) -> int:
    async with bot.app.db.session() as s:
        return len((await s.scalars(select(Ticket.id))).all())


CSV_HEAD = "工单编号,诉求内容\n".encode()
BAD_BODIES = [
    ("deep JSON", b"[" * 100_000 + b"]" * 100_000, "application/json", 400,
     "JSON 嵌套层级过深。"),
    ("a huge CSV field", CSV_HEAD + b'1,"' + b"x" * 200_000 + b'"\n', "text/csv", 400,
     "第 2 行无法按 CSV 读取（字段过长，或引号未闭合）。"),
    ("a NUL byte", b'{"content": "\x00"}', "application/json", 400,
     "内容含有 NUL 字节：不是 UTF-8 或 GBK 文本（不支持 UTF-16）。"),
    ("invalid UTF-8 JSON", b'{"content": "\xff\xfe"}', "application/json", 400,
     "JSON 不是 UTF-8 编码（第 13 字节）。"),
    ("neither UTF-8 nor GBK", CSV_HEAD + b"1,\xff\xff\n", "text/csv", 400,
     "文件既不是 UTF-8 也不是 GBK 文本。"),
    ("a wrong content type", b"content=x", "text/plain", 415,
     "请发送 JSON（application/json）或 CSV（text/csv），而不是 text/plain。"),
    ("a JSON number", b"42", "application/json", 400, "请发送一个 JSON 对象，或对象列表。"),
    ("an empty list", b"[]", "application/json", 400, "请发送一个 JSON 对象，或对象列表。"),
    ("no content column", b"foo,bar\n1,2\n", "text/csv", 400,
     "首行没有诉求内容列（诉求内容）；首行为：foo, bar"),
    ("a header only", CSV_HEAD, "text/csv", 400, "CSV 文件首行之下没有记录。"),
    ("a long id", json.dumps({"id": "x" * 200, "content": "路灯不亮"}).encode(),
     "application/json", 422, "没有可导入的记录。"),
    ("a nested value", json.dumps({"content": {"a": 1}}).encode(), "application/json", 422,
     "没有可导入的记录。"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "kind", "status", "error"),
    [case[1:] for case in BAD_BODIES],
    ids=[case[0] for case in BAD_BODIES],
)
async def test_a_bad_body_gets_a_4xx_with_its_reason(
    bot: BotHarness, body: bytes, kind: str, status: int, error: str
) -> None:
    assert await _post(bot, body, kind) == (status, {**_refusals(body), "error": error})
    assert await _count(bot) == 0


def _refusals(body: bytes) -> dict[str, Any]:
    """What a 422 lists besides the error: the one record and why it was refused."""
    if b'"id": "xxx' in body:
        reason = "工单编号超过 128 个字符"
    elif b'{"a": 1}' in body:
        reason = "content 是列表或对象，不是文本"
    else:
        return {}
    refused = [{"at": "第 1 条记录", "index": 1, "id": None, "reason": reason}]
    return {"filed": [], "duplicates": [], "skipped": [], "refused": refused}


async def test_an_escaped_nul_in_json_is_dropped_not_fatal(bot: BotHarness) -> None:
    status, data = await _post(bot, json.dumps({"content": "路灯\u0000不亮"}).encode())
    assert (status, data["filed"][0]["number"]) == (201, "Q-2026-0001")
    async with bot.app.db.session() as s:
        assert await s.scalar(select(Ticket.description)) == "路灯不亮"


def _padded(size: int) -> bytes:
    """A JSON record of exactly `size` bytes (an unknown key carries the padding)."""
    head = json.dumps({"content": "路灯不亮", "padding": ""}).encode()
    return head[:-2] + b"x" * (size - len(head)) + head[-2:]


async def test_the_body_limit_is_5_mib(bot: BotHarness) -> None:
    assert len(_padded(MAX_BODY)) == MAX_BODY == 5 * 1024 * 1024
    status, data = await _post(bot, _padded(MAX_BODY))
    assert (status, data["filed"][0]["number"]) == (201, "Q-2026-0001")
    status, data = await _post(bot, _padded(MAX_BODY + 1))
    assert (status, data) == (413, {"error": "内容超过 5242880 字节（5 MiB）。"})
    assert await _count(bot) == 1


RECORD = {"id": "12345-0042", "content": "小区垃圾三天没人清运", "phone": "13900000042",
          "name": "陈女士"}  # fmt: skip


async def test_two_posts_of_one_record_at_once_file_one_ticket(any_bot: BotHarness) -> None:
    body = json.dumps(RECORD).encode()
    answers = await asyncio.gather(_post(any_bot, body), _post(any_bot, body))
    assert sorted((len(d["filed"]), len(d["duplicates"])) for _, d in answers) == [(0, 1), (1, 0)]
    assert {status for status, _ in answers} == {201}
    assert await _count(any_bot) == 1


async def test_a_lost_race_is_a_duplicate_and_logs_no_phone(
    any_bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The second post looks before the first commits (forced here: its look finds nothing),
    so the unique constraint decides; the SAVEPOINT is rolled back, the rest goes on."""
    caplog.set_level(logging.DEBUG)
    for noisy in ("aiosqlite", "sqlalchemy", "asyncpg"):  # as `qunzhu run` sets them
        caplog.set_level(logging.WARNING, logger=noisy)

    async def nothing_yet(ctx: Any, key: str) -> None:
        return None

    monkeypatch.setattr(hotline, "_known", nothing_yet)
    other = {**RECORD, "id": "12345-0043"}
    assert (await _post(any_bot, json.dumps(RECORD).encode()))[0] == 201
    status, data = await _post(any_bot, json.dumps([RECORD, other]).encode())
    assert status == 201
    assert [(d["id"], d["number"]) for d in data["duplicates"]] == [("12345-0042", "Q-2026-0001")]
    assert [(d["id"], d["number"]) for d in data["filed"]] == [("12345-0043", "Q-2026-0002")]
    assert await _count(any_bot) == 2
    assert "13900000042" not in caplog.text and "陈女士" not in caplog.text
