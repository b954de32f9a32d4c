"""The message sent the instant the bot's join shows in a room is handled (regression: it was
never handled, nor logged; the same message 3 s later was answered in about 100 ms)."""

from __future__ import annotations

from tests.adapters.matrix.conftest import MakeApp, MakePerson
from tests.adapters.matrix.person import wait_for
from tests.adapters.matrix.synapse import Account
from tests.adapters.matrix.test_invites import membership


async def test_a_message_sent_as_the_join_shows_is_answered(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    ana = await person("ana")
    await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    rooms = []
    for n in range(5):
        room = await ana.create_room(name=f"群{n}", invite=[bot])
        await wait_for(lambda r=room: membership(ana, r, bot), lambda m: m == "join", 15)
        await ana.say(room, f"/echo 第{n}条")
        rooms.append(room)
    for n, room in enumerate(rooms):
        said = await ana.wait_from_bot(room, bot, 1)
        assert [e["content"]["body"] for e in said] == [f"第{n}条"]
