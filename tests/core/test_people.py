"""People and roles: from the YAML, from admins' commands, across platforms; /whoami."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {
        "bot": {"language": "en", "admins": ["memory:boss"]},
        "people": [
            {
                "name": "王书记",
                "identities": ["memory:wang", "telegram:1001"],
                "roles": ["supervisor", "member:housing"],
            },
        ],
    }


async def test_whoami_shows_name_identities_and_roles_from_the_config(bot: BotHarness) -> None:
    [reply] = await bot.send("/whoami", user="wang")
    assert reply.text == (
        "You are 王书记.\nIdentities: memory:wang, telegram:1001\nRoles: member:housing, supervisor"
    )


async def test_a_stranger_becomes_a_person_on_first_contact(bot: BotHarness) -> None:
    [reply] = await bot.send("/我是谁", user="li")
    assert reply.text == "You are li.\nIdentities: memory:li\nRoles: none"


async def test_one_person_behind_two_platform_identities(bot: BotHarness) -> None:
    from qunzhu.core.model._events import UserRef

    on_memory = await bot.app.people.resolve(bot.user("wang"))
    on_telegram = await bot.app.people.resolve(UserRef("telegram", "1001", "Wang"))
    assert on_memory.id == on_telegram.id
    assert on_telegram.has_role("member", "housing") and not on_telegram.has_role("member", "water")


async def test_admin_gives_and_takes_roles(bot: BotHarness) -> None:
    await bot.send("hello", user="li")  # li is known now
    [reply] = await bot.send("/role add li approver", user="boss")
    assert reply.text == "li now has the role approver."
    [reply] = await bot.send("/role add @li approver", user="boss")
    assert reply.text == "li already had the role approver."
    [reply] = await bot.send("/role list li", user="boss")
    assert reply.text == "li has the roles: approver"
    assert (await bot.app.people.find("memory:li")).has_role("approver")  # type: ignore[union-attr]
    [reply] = await bot.send("/角色 删除 li approver", user="boss")
    assert reply.text == "li no longer has the role approver."
    assert not (await bot.app.people.find("memory:li")).has_role("approver")  # type: ignore[union-attr]


async def test_only_admins_manage_roles(bot: BotHarness) -> None:
    [reply] = await bot.send("/role add wang admin", user="wang")
    assert reply.text == "Sorry, /role is only for people with the role “admin”."
    [reply] = await bot.send("/role add nobody approver", user="boss")
    assert reply.text.startswith("I do not know anyone called “nobody”.")


async def test_roles_given_by_command_survive_a_restart_and_config_roles_are_reapplied(
    bot: BotHarness,
) -> None:
    await bot.send("/role add wang approver", user="boss")
    await bot.send("/role remove wang supervisor", user="boss")
    await bot.restart()
    wang = await bot.app.people.find("memory:wang")
    assert wang is not None
    assert wang.has_role("approver")  # given by an admin: kept
    assert wang.has_role("supervisor")  # declared in the YAML: the YAML wins at start-up


async def test_help_shows_admin_commands_only_to_admins(bot: BotHarness) -> None:
    [for_admin] = await bot.send("/help", user="boss")
    [for_resident] = await bot.send("/help", user="li")
    assert "/role" in for_admin.text
    assert "/role" not in for_resident.text
    assert "/whoami" in for_resident.text


async def test_set_own_name(bot: BotHarness) -> None:
    [reply] = await bot.send("/name 李 村长", user="li")
    assert reply.text == "Your name is now 李 村长."
    [reply] = await bot.send("/whoami", user="li")
    assert reply.text.startswith("You are 李 村长.")


async def test_a_name_is_cleaned_of_hidden_characters(bot: BotHarness) -> None:
    [reply] = await bot.send("/name 李\u202e明\u200b  村长\x07", user="li")
    assert reply.text == "Your name is now 李明 村长."
    [reply] = await bot.send("/name \u202e\u200b", user="li")
    assert reply.text == "A name needs letters: /name 李明"


async def test_a_name_someone_else_has_cannot_be_taken(bot: BotHarness) -> None:
    [reply] = await bot.send("/name 王书记", user="li")  # a configured person's name
    assert reply.text == (
        "“王书记” is already someone else's name. Add your unit or village to tell you apart, "
        "e.g. /name 王书记（水利局）"
    )
    [reply] = await bot.send("/name 张三", user="zhang")
    assert reply.text == "Your name is now 张三."
    [reply] = await bot.send("/name 张\u200b三", user="li")  # the same name, disguised
    assert reply.text.startswith("“张三” is already someone else's name.")
    [reply] = await bot.send("/name 张三", user="zhang")  # one's own name again is fine
    assert reply.text == "Your name is now 张三."


async def test_a_role_by_a_self_chosen_name_asks_for_the_account(bot: BotHarness) -> None:
    await bot.send("/name 张三", user="zhang")
    [reply] = await bot.send("/role add 张三 approver", user="boss")
    assert reply.text == (
        "“张三” is a name people chose themselves, so I am not sure who you mean:\n"
        "• 张三: memory:zhang\n"
        "Name the account instead, e.g. /role add memory:zhang approver"
    )
    [reply] = await bot.send("/role add memory:zhang approver", user="boss")
    assert reply.text == "张三 now has the role approver."
    [reply] = await bot.send("/role add 王书记 approver", user="boss")  # a configured name
    assert reply.text == "王书记 now has the role approver."


async def test_many_people_found_at_once_as_one_by_one(bot: BotHarness) -> None:
    """Issue 19: a check-in's roster found its dozen people one look-up each (a check-in in
    5,000 groups took 11 minutes); `find_many` answers as `find` does, in three queries."""
    from qunzhu.core import Message, UserRef

    for user_id, name in (("li", "小李"), ("zhao", "同名"), ("qian", "同名")):
        who = UserRef("memory", user_id, name)
        await bot.feed(Message(bot.next_id(), bot.dm(user_id), who, "hello"))
    keys = ["王书记", "memory:wang", "telegram:1001", "小李", "同名", "nobody", "memory:li"]
    found = await bot.app.people.find_many(keys)
    one_by_one = {k: p for k in keys if (p := await bot.app.people.find(k)) is not None}
    assert {k: p.id for k, p in found.items()} == {k: p.id for k, p in one_by_one.items()}
    assert set(found) == {"王书记", "memory:wang", "telegram:1001", "小李", "memory:li"}
    assert found["王书记"].has_role("supervisor") and found["小李"].display_name == "小李"
