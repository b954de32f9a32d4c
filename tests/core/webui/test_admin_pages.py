"""Administration on the web console (issue 17, item 3): an admin finds people, gives and takes
their roles, edits the units of the organisation (kept in the database over the YAML, used by the
bot at once and after a restart, shown by ``qunzhu config show``), sees the delivery's health;
every other seat gets 403 on every page and every form."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunzhu.core.cli import main
from qunzhu.core.errors import RetryLater
from qunzhu.core.storage._tables import PersonRow
from qunzhu.core.testing import BotHarness

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "web": {"enabled": True, "port": 0, "public_url": "http://console.test"},
    "org": {
        "district": {"name": "区委", "chats": ["memory:区委群"]},
        "town": {"name": "水口镇", "parent": "district", "chats": ["memory:镇群"]},
        "housing": {
            "name": "住建局",
            "aliases": ["住建"],
            "parent": "district",
            "chats": ["memory:住建群"],
            "head": "memory:zhou",
        },
    },  # fmt: skip
    "people": [
        {"name": "管理员", "identities": ["memory:admin"], "roles": ["admin"]},
        {"name": "王书记", "identities": ["memory:wang"], "roles": ["supervisor"]},
        {"name": "周局长", "identities": ["memory:zhou"], "roles": ["member:housing"]},
        {"name": "李老板", "identities": ["memory:li"], "roles": ["seller"]},
        {"name": "陈阿姨", "identities": ["memory:chen"]},
    ],
}
GETS = ["/web/admin/people", "/web/admin/people/1", "/web/admin/units",
        "/web/admin/units/housing", "/web/admin/new-unit", "/web/admin/health",
        "/web/admin/sessions"]  # fmt: skip
POSTS = [
    ("/web/admin/people/5", {"action": "add", "role": "admin"}),
    ("/web/admin/units/housing", {"action": "save", "name": "住建局（新）"}),
    ("/web/admin/units/housing", {"action": "remove"}),
    ("/web/admin/new-unit", {"action": "save", "key": "x", "name": "某单位"}),
    ("/web/admin/sessions", {"person": "1"}),
]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return CONFIG


async def person_id(bot: BotHarness, name: str) -> int:
    found = await bot.app.people.find(f"memory:{name}")
    assert found is not None
    return found.id


@pytest.mark.parametrize("seat", ["wang", "zhou", "li", "chen"])
async def test_only_an_admin_opens_the_admin_pages_and_sends_their_forms(
    bot: BotHarness, seat: str
) -> None:
    page = await bot.open_console(seat)
    assert "人员" not in page.text() and "组织单位" not in page.text()  # not in the navigation
    for path in GETS:
        assert await page.get(path) == 403, path
        assert "您没有查看此页面的权限" in page.text()
    for path, form in POSTS:
        await page.get("/web/")  # a page of theirs: its form carries their own CSRF token
        assert await page.post(path, form) == 403, path
    chen = await bot.app.people.find("memory:chen")
    assert chen is not None and not chen.is_admin
    assert bot.app.org.unit("housing").name == "住建局"  # type: ignore[union-attr]


async def test_an_admin_opens_every_admin_page(bot: BotHarness) -> None:
    page = await bot.open_console("admin")
    for path in GETS:
        assert await page.get(path) == 200, path


async def test_admin_forms_without_the_csrf_token_are_refused(bot: BotHarness) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/units")
    for path, form in POSTS:
        assert await page.post(path, form, csrf=False) == 403, path
        assert "表单已失效" in page.text()
    assert bot.app.org.unit("housing").name == "住建局"  # type: ignore[union-attr]


async def test_people_are_found_by_name_or_account_a_page_at_a_time(bot: BotHarness) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with bot.app.db.session() as s:
        s.add_all(PersonRow(real_name=f"村民{i:03d}", created_at=now) for i in range(120))
        await s.commit()
    page = await bot.open_console("admin")
    await page.get("/web/admin/people?q=王书记")
    assert "王书记" in page.text() and "memory:wang" in page.text() and "督办" in page.text()
    assert "李老板" not in page.text()
    await page.get("/web/admin/people?q=memory:li")
    assert "李老板" in page.text() and "王书记" not in page.text()
    await page.get("/web/admin/people?q=村民")
    first = page.text()
    assert "村民000" in first and "村民049" in first and "村民050" not in first
    assert "下一页" in first
    after = page.html.split("after=")[1].split('"')[0]
    await page.get(f"/web/admin/people?q=%E6%9D%91%E6%B0%91&after={after}")
    assert "村民050" in page.text() and "村民000" not in page.text()
    await page.get("/web/admin/people?q=没有这个人")
    assert "没有找到任何人" in page.text()


async def test_an_admin_gives_a_scoped_role_and_takes_it_away(bot: BotHarness) -> None:
    chen = await person_id(bot, "chen")
    page = await bot.open_console("admin")
    await page.get(f"/web/admin/people/{chen}")
    assert (
        await page.post(f"/web/admin/people/{chen}", {"action": "add", "role": "member:住建"})
        == 400
    )
    assert "请写单位的键：member:housing" in page.text()
    assert (
        await page.post(f"/web/admin/people/{chen}", {"action": "add", "role": "member:roads"})
        == 400
    )
    assert "没有单位“roads”" in page.text()
    assert (
        await page.post(f"/web/admin/people/{chen}", {"action": "add", "role": "member:housing"})
        == 200
    )
    assert "已授予该角色" in page.text() and "成员:住建局" in page.text()
    [answer] = await bot.send("/whoami", user="chen")
    assert "成员:housing" in answer.text
    assert bot.app.org.is_member(await bot.app.people.get(chen), "housing")  # type: ignore[arg-type]
    await page.post(f"/web/admin/people/{chen}", {"action": "remove", "role": "member:housing"})
    assert "已收回该角色" in page.text()
    [answer] = await bot.send("/whoami", user="chen")
    assert "housing" not in answer.text


async def test_a_role_from_the_yaml_is_not_taken_on_the_page(bot: BotHarness) -> None:
    zhou = await person_id(bot, "zhou")
    page = await bot.open_console("admin")
    await page.get(f"/web/admin/people/{zhou}")
    assert "来自配置文件" in page.text()
    await page.post(f"/web/admin/people/{zhou}", {"action": "remove", "role": "member:housing"})
    assert page.status == 400 and "该角色写在配置文件（people:）里" in page.text()


async def test_an_admin_cannot_take_their_own_admin_role(bot: BotHarness) -> None:
    admin = await person_id(bot, "admin")
    async with bot.app.db.writing(), bot.app.db.session() as s:  # a second admin role, by /role
        from qunzhu.core.people import Role

        await bot.app.people.revoke(s, admin, Role("admin"))
        await bot.app.people.grant(s, admin, Role("admin"))
        await s.commit()
    bot.app.people.forget(admin)
    page = await bot.open_console("admin")
    await page.get(f"/web/admin/people/{admin}")
    assert (
        await page.post(f"/web/admin/people/{admin}", {"action": "remove", "role": "admin"}) == 400
    )
    assert "您不能收回自己的管理员角色" in page.text()


def unit_form(**changes: str) -> dict[str, str]:
    form = {"action": "save", "name": "住建局", "aliases": "住建", "parent": "district",
            "chats": "memory:住建群", "head": "memory:zhou", "members": ""}  # fmt: skip
    return form | changes


async def test_a_unit_edited_on_the_page_is_used_at_once_and_after_a_restart(
    bot: BotHarness,
) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/units/housing")
    assert "按配置文件所写" in page.text()
    chats = "memory:住建群\nmemory:住建二群"
    form = unit_form(name="区住建局", aliases="住建\n建设局", chats=chats, parent="town")
    assert await page.post("/web/admin/units/housing", form) == 200
    assert "已保存" in page.text() and "在此修改过" in page.text()
    unit = bot.app.org.unit("建设局")
    assert unit is not None and unit.name == "区住建局" and unit.parent == "town"
    assert bot.app.org.unit_of_chat("memory:住建二群") == unit
    await bot.restart()
    unit = bot.app.org.unit("housing")
    assert unit is not None and unit.name == "区住建局"
    assert [u.key for u in bot.app.org.chain("housing")] == ["housing", "town", "district"]
    page = await bot.open_console("admin")
    await page.get("/web/admin/units")
    assert "区住建局" in page.text() and "在此修改" in page.text()


async def test_a_unit_form_with_mistakes_says_them_and_saves_nothing(bot: BotHarness) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/units/district")
    form = unit_form(name="区委", aliases="", chats="memory:区委群", parent="housing", head="")
    assert await page.post("/web/admin/units/district", form) == 400
    assert "上级单位会绕成一个圈：district → housing → district" in page.text()
    assert await page.post("/web/admin/units/housing", unit_form(chats="住建群")) == 400
    assert "每个群请写成 平台:群号" in page.text()
    assert await page.post("/web/admin/units/housing", unit_form(parent="roads")) == 400
    assert "没有可作上级的单位“roads”" in page.text()
    assert await page.post("/web/admin/units/housing", unit_form(name="")) == 400
    assert "请填写单位名称" in page.text()
    assert (
        await page.post("/web/admin/units/town", unit_form(name="水口镇", aliases="住建", chats=""))
        == 400
    )
    assert "别名 住建 已能找到另一个单位" in page.text()
    new = {"action": "save", "key": "housing", "name": "又一个"}
    assert await page.post("/web/admin/new-unit", new) == 400
    assert "已有单位“housing”" in page.text()
    assert await page.post("/web/admin/new-unit", new | {"key": "a b"}) == 400
    assert "键请写成一个词" in page.text()
    assert "Traceback" not in page.html
    assert bot.app.org_state.edits == ()
    assert bot.app.org.unit("district").parent is None  # type: ignore[union-attr]


async def test_units_are_added_removed_and_brought_back(bot: BotHarness) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/new-unit")
    new = {"action": "save", "key": "village", "name": "水口村", "parent": "town",
           "chats": "memory:村民群"}  # fmt: skip
    assert await page.post("/web/admin/new-unit", new) == 200
    assert bot.app.org.unit_of_chat("memory:村民群").key == "village"  # type: ignore[union-attr]
    await page.get("/web/admin/units/town")
    assert await page.post("/web/admin/units/town", {"action": "remove"}) == 400
    assert "其下还有单位：village" in page.text()
    assert await page.post("/web/admin/units/village", {"action": "remove"}) == 200
    assert await page.post("/web/admin/units/town", {"action": "remove"}) == 200
    assert "已删除该单位" in page.text()
    assert bot.app.org.unit("town") is None
    assert "在此删除" in page.text()
    assert await page.post("/web/admin/units/town", {"action": "revert"}) == 200
    assert "已恢复为配置文件中的单位" in page.text()
    assert bot.app.org.unit("town") is not None


async def test_config_show_names_what_the_database_keeps(bot: BotHarness) -> None:
    chen = await person_id(bot, "chen")
    page = await bot.open_console("admin")
    await page.get("/web/admin/units/housing")
    await page.post("/web/admin/units/housing", unit_form(name="区住建局"))
    await page.post("/web/admin/new-unit", {"action": "save", "key": "village", "name": "水口村"})
    await page.post(f"/web/admin/people/{chen}", {"action": "add", "role": "member:village"})
    config = Path(bot.workdir) / "qunzhu.yaml"
    # in a thread: the command runs its own event loop, as it does from a shell
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["config", "show", "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    shown = result.output.split("from_database:")[1]
    assert "housing:\n      source: edited" in shown
    assert "village:\n      source: added" in shown and "name: 区住建局" in shown
    assert "account: memory:chen" in shown and "role: member:village" in shown
    assert "given_by: web console" in shown and "edited_by: 管理员 (1)" in shown


async def test_health_shows_the_platforms_429_waits_and_the_jobs_due(bot: BotHarness) -> None:
    page = await bot.open_console("admin")
    answers = iter([RetryLater(30)])
    bot.adapter.failure = lambda chat, reply: next(answers, None)
    assert await bot.send("/whoami", user="wang") == []  # the platform said: wait 30 s
    await page.get("/web/admin/health")
    text = page.text()
    assert "被要求等待 (429)" in text and "memory 1 0 1 次，共 30 秒" in text
    assert "到期未运行：0" in text and "已延误（超过宽限时间）：0" in text
    [answer] = await bot.advance(timedelta(seconds=31))
    assert answer.text.startswith("您是王书记。")
    await page.get("/web/admin/health")
    assert "memory 0 0 1 次，共 30 秒" in page.text()


async def test_sessions_name_who_is_logged_in_with_their_accounts(bot: BotHarness) -> None:
    await bot.open_console("wang")
    page = await bot.open_console("admin")
    await page.get("/web/admin/sessions")
    assert "王书记 memory:wang" in page.text() and "管理员 memory:admin" in page.text()
    wang = await person_id(bot, "wang")
    assert f'href="/web/admin/people/{wang}"' in page.html


async def test_a_unit_saved_by_another_workers_console_reaches_this_worker(
    bot: BotHarness,
) -> None:
    from qunzhu.core.config.org import OrgUnitSettings
    from qunzhu.core.org._overlay import save_edit
    from qunzhu.core.org._watch import OrgWatch

    watch = OrgWatch(bot.app, seconds=10)  # started by App.start when dispatcher.shared
    await watch.start()
    try:
        async with bot.app.db.writing(), bot.app.db.session() as s:  # the other worker's save
            unit = OrgUnitSettings(name="区住建局", parent="district", chats=("memory:住建群",))
            await save_edit(s, "housing", unit, 1, bot.clock.now())
            await s.commit()
        await bot.advance(timedelta(seconds=5))
        assert bot.app.org.unit("housing").name == "住建局"  # type: ignore[union-attr]
        await bot.advance(timedelta(seconds=6))
        for _ in range(100):
            if bot.app.org.unit("housing").name == "区住建局":  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.01)
        assert bot.app.org.unit("housing").name == "区住建局"  # type: ignore[union-attr]
        assert await watch.check() is False  # nothing new since
    finally:
        await watch.stop()


async def test_edits_that_no_longer_fit_a_changed_yaml_leave_the_files_units_and_say_why(
    bot: BotHarness,
) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/units/housing")
    await page.post("/web/admin/units/housing", unit_form(parent="town"))
    bot.config = {**CONFIG, "org": {k: v for k, v in CONFIG["org"].items() if k != "town"}}
    await bot.restart()  # the file no longer has the parent the edit names
    assert bot.app.org.unit("housing").parent == "district"  # type: ignore[union-attr]
    page = await bot.open_console("admin")
    await page.get("/web/admin/units")
    assert "在此修改的单位与配置文件已不相符" in page.text()
    assert "org.housing.parent: no unit" in page.text() and "在此修改（未生效）" in page.text()
    await page.get("/web/admin/units/housing")  # the file's unit, to save again or go back to
    assert await page.post("/web/admin/units/housing", {"action": "revert"}) == 200
    assert "不相符" not in page.text() and bot.app.org_state.problems == ()
