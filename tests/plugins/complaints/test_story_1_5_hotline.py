"""Story 1.5: 12345 hotline records arrive as JSON or CSV (HTTP POST, or a file sent to the bot)
and get the same routing and deadlines."""

from __future__ import annotations

import copy
import json
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from qunzhu.core.model._events import Attachment, AttachmentKind, Message
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket

from .conftest import CONFIG

CSV = (
    "工单编号,诉求内容,类别,事发地址,来电人,联系电话\n"
    "12345-0002,东门外污水横流，无人处理,环境卫生,北部新城东门,刘先生,13800000002\n"
    "12345-0003,工地混凝土养护不到位,,北部新城三标段,,13800000003\n"
)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    return config


async def _post(bot: BotHarness, body: bytes, kind: str, token: str = "s3cret") -> Any:
    url = f"http://127.0.0.1:{bot.app.web.port}/complaints/hotline"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": kind}
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        data = await r.json()
    await bot.app.settle()
    return r.status, data


async def _tickets(bot: BotHarness) -> list[Ticket]:
    async with bot.app.db.session() as s:
        return list((await s.scalars(select(Ticket).order_by(Ticket.id))).all())


async def test_json_post_is_routed_like_any_report(bot: BotHarness) -> None:
    record = {"id": "12345-0001", "content": "小区垃圾三天没人清运", "address": "幸福小区3栋",
              "name": "王女士", "phone": "13800000001"}  # fmt: skip
    status, data = await _post(bot, json.dumps(record).encode(), "application/json")
    assert (status, data["filed"]) == (
        201,
        [{"at": "第 1 条记录", "index": 1, "id": "12345-0001", "number": "Q-2026-0001"}],
    )
    [card] = bot.sent_to("环卫所")
    assert "来源：12345 热线" in card.text
    assert "反映人：王女士 13800000001" in card.text  # the caller, for the call-back
    [ticket] = await _tickets(bot)
    assert (ticket.source, ticket.category, ticket.department) == (
        "hotline",
        "sanitation",
        "sanitation",
    )
    assert ticket.resolve_due > ticket.created_at  # the same deadlines
    status, data = await _post(bot, json.dumps(record).encode(), "application/json")
    assert (status, data["filed"], data["duplicates"][0]["number"]) == (201, [], "Q-2026-0001")
    assert len(await _tickets(bot)) == 1


async def test_an_urgent_record_says_so_on_its_card(bot: BotHarness) -> None:
    record = {"content": "主干道井盖缺失，夜间有行人跌落风险", "紧急程度": "特急"}
    status, _ = await _post(bot, json.dumps(record).encode(), "application/json")
    # no category's words: waiting to be routed, and (since issue 14) the supervisors are told why
    card, notice = bot.sent_to("督查组")
    assert status == 201 and card.text.startswith("📋 Q-2026-0001 · 其他 · ⚡ 紧急\n")
    assert notice.text == "12345 热线导入：1 件待派单：\nQ-2026-0001: 既无类别也无承办单位可派单"


async def test_gbk_csv_post(bot: BotHarness) -> None:
    status, data = await _post(bot, CSV.encode("gbk"), "text/csv")
    assert status == 201
    assert [f["number"] for f in data["filed"]] == ["Q-2026-0001", "Q-2026-0002"]
    first, second = await _tickets(bot)
    assert (first.category, first.reporter_name, first.address) == (
        "sanitation",
        "刘先生",
        "北部新城东门",
    )
    assert second.category == "construction"  # no category given: recognised by its words


async def test_bad_token_files_nothing_and_a_bad_record_only_itself(bot: BotHarness) -> None:
    # Changed with 12345 fidelity: a bad record no longer rejects the batch (issue 14).
    status, data = await _post(bot, b"{}", "application/json", token="wrong")
    assert (status, data) == (401, {"error": "wrong or missing token"})
    bad = [{"id": "a", "content": "路灯不亮"}, {"id": "b", "类别": "天气"}]
    status, data = await _post(bot, json.dumps(bad).encode(), "application/json")
    assert (status, [f["number"] for f in data["filed"]]) == (201, ["Q-2026-0001"])
    assert data["refused"] == [
        {"at": "第 2 条记录", "index": 2, "id": None, "reason": "缺少诉求内容"}
    ]
    status, data = await _post(bot, b"not json", "application/json")
    assert (status, data) == (400, {"error": "不是有效的 JSON：第 1 行第 1 列。"})
    assert len(await _tickets(bot)) == 1


async def test_a_csv_file_sent_to_the_bot(bot: BotHarness) -> None:
    bot.adapter.files["hotline.csv"] = CSV.encode("gbk")
    file = Attachment(AttachmentKind.FILE, "hotline.csv", "text/csv", name="hotline.csv")
    chat, who = bot.dm("wang"), bot.user("wang")
    sent = await bot.feed(Message(bot.next_id(), chat, who, "/热线", (file,)))
    [done] = [s for s in sent if s.chat.chat_id == "dm:wang"]
    assert done.text == "已导入 2 条热线工单：Q-2026-0001, Q-2026-0002。此前已导入：0 条。"
    assert len(bot.sent_to("环卫所")) == 1 and len(bot.sent_to("住建局")) == 1
