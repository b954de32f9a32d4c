"""Invitations by allow-list, and the bot leaving rooms: removed from a room, the bot stops
posting there at once (the core marks the chat inactive); invited back, it posts again."""

from __future__ import annotations

from urllib.parse import quote

from tests.adapters.matrix.conftest import MakeApp, MakePerson
from tests.adapters.matrix.mxapp import MxTest
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.synapse import Account


async def membership(person: Person, room: str, user: str) -> str:
    path = f"/rooms/{quote(room)}/state/m.room.member/{quote(user)}"
    try:
        return str((await person.call("GET", path))["membership"])
    except RuntimeError:
        return "none"


async def test_invitations_from_allowed_people_and_servers_only(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    wang, li, stranger = await person("wang"), await person("li"), await person("stranger")
    app = await make_app(
        adapter={"invites": {"allow_users": [wang.user_id], "allow_servers": ["gov.example"]}}
    )
    bot = bot_account.user_id
    by_wang = await wang.create_room(name="北部新城工程", invite=[bot])
    by_stranger = await stranger.create_room(name="广告群", invite=[bot])
    await wait_for(lambda: membership(wang, by_wang, bot), lambda m: m == "join")
    await wait_for(lambda: membership(stranger, by_stranger, bot), lambda m: m == "leave")
    invites = app.adapter.invites
    assert invites is not None

    async def answered() -> tuple[list[str], list[str]]:
        return invites.joined, invites.declined

    await wait_for(answered, lambda both: both == ([by_wang], [by_stranger]))
    # li's server is not gov.example: li cannot pull the bot in either
    by_li = await li.create_room(name="李的群", invite=[bot])
    await wait_for(lambda: membership(li, by_li, bot), lambda m: m == "leave")


async def test_invitations_can_be_left_pending(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    stranger, wang = await person("stranger"), await person("wang")
    app = await make_app(
        adapter={"invites": {"allow_users": [wang.user_id], "decline_others": False}}
    )
    bot = bot_account.user_id
    pending = await stranger.create_room(invite=[bot])
    joined = await wang.create_room(invite=[bot])  # handled after the stranger's: then both seen
    await wait_for(lambda: membership(wang, joined, bot), lambda m: m == "join")
    assert await membership(stranger, pending, bot) == "invite"
    assert app.adapter.invites is not None and app.adapter.invites.declined == []


async def test_removed_from_a_room_the_bot_stops_posting_there_and_comes_back(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    room = await ana.create_room(name="村务群", invite=[bot])
    office = await ana.create_room(name="办公室", invite=[bot, bo.user_id])
    await wait_for(lambda: membership(ana, office, bot), lambda m: m == "join")
    await wait_for(lambda: membership(ana, room, bot), lambda m: m == "join")
    await ana.kick(room, bot)
    await wait_for(lambda: app.chat_active(room), lambda active: not active)
    since = await ana.position()
    await ana.say(office, f"/tell {room} 还在吗")
    await ana.say(office, "/echo 之后")
    answer, since = await ana.next_from(office, bot, since)
    assert answer["content"]["body"] == "之后"
    failed = await wait_for(app.outbox, lambda rows: any(r[0] == room for r in rows))
    assert [r[1:] for r in failed if r[0] == room] == [("failed", 0, "chat is inactive")]
    await ana.invite(room, bot)  # invited back: posts there again
    await wait_for(lambda: membership(ana, room, bot), lambda m: m == "join")
    await wait_for(lambda: app.chat_active(room), bool)
    await ana.say(office, f"/tell {room} 回来了")
    said = await ana.wait_from_bot(room, bot, 1)
    assert [e["content"]["body"] for e in said] == ["回来了"]


async def test_a_room_the_bot_is_not_in_is_marked_inactive_on_the_first_refusal(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    ana = await person("ana")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    office = await ana.create_room(invite=[bot])
    elsewhere = await ana.create_room(name="机器人不在")
    await wait_for(lambda: membership(ana, office, bot), lambda m: m == "join")
    await ana.say(office, f"/tell {elsewhere} 你好")
    await wait_for(lambda: app.chat_active(elsewhere), lambda active: not active)
    rows = [r for r in await app.outbox() if r[0] == elsewhere]
    assert len(rows) == 1 and rows[0][1:3] == ("failed", 0)
    assert rows[0][3] is not None and "M_FORBIDDEN" in rows[0][3]
