"""Restarts: what was sent while the bot was down is handled once each when it is back (also
when more came than one sync holds); the same device is used again; the rooms' names and kinds
are known without a full sync; the very first start does not answer old history."""

from __future__ import annotations

from tests.adapters.matrix.conftest import MakeApp, MakePerson
from tests.adapters.matrix.mxapp import MatrixApp, MxTest
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.synapse import Account
from tests.adapters.matrix.test_messages import group, started


async def answers(ana: Person, room: str, bot: str) -> list[str]:
    return [e["content"]["body"] for e in await ana.from_bot(room, bot)]


async def oks(ana: Person, room: str, bot: str, count: int) -> list[str]:
    found = await wait_for(
        lambda: answers(ana, room, bot),
        lambda said: len([s for s in said if s.startswith("ok n")]) >= count,
    )
    return [s for s in found if s.startswith("ok n")]


async def devices(account: Person) -> list[str]:
    found = (await account.call("GET", "/devices"))["devices"]
    return [d.get("display_name") or "" for d in found]


async def test_messages_sent_while_down_are_handled_once_each_by_the_same_device(
    make_app: MakeApp, person: MakePerson, bot_person: Person, plugin: MxTest
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await started(make_app, ana)
    bot = bot_person.user_id
    room = await group(ana, bot, bo)
    await ana.say(room, "n 0")
    await oks(ana, room, bot, 1)
    device = app.adapter.client.device_id
    await app.stop()
    sent = [await ana.say(room, f"n {i}") for i in range(1, 6)]
    await app.start()
    said = await oks(ana, room, bot, 6)
    assert said == [f"ok n {i}" for i in range(6)]
    assert plugin.handled == [f"n {i}" for i in range(6)]
    assert app.adapter.client.device_id == device and app.adapter.session.logins == 0
    assert (await devices(bot_person)).count("qunzhu-test") == 1
    for event_id in sent:  # the room's record came back from the state, not a full sync
        payload = await app.payload(event_id)
        assert (payload["chat_kind"], payload["chat_title"]) == ("group", "北部新城工程")
    await app.restart()  # nothing new: nothing handled again
    await ana.say(room, "n 6")
    assert (await oks(ana, room, bot, 7))[-1] == "ok n 6"
    assert plugin.handled == [f"n {i}" for i in range(7)]


async def test_a_longer_absence_is_caught_up_page_by_page(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}, "timeline_limit": 2})
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    await app.stop()
    for i in range(1, 8):
        await ana.say(room, f"n {i}")
    await app.start()
    said = await oks(ana, room, bot, 7)
    assert said == [f"ok n {i}" for i in range(1, 8)]
    assert plugin.handled == [f"n {i}" for i in range(1, 8)]


async def first_start(
    make_app: MakeApp, person: MakePerson, bot_person: Person, **options: object
) -> tuple[Person, str, MatrixApp]:
    """The bot's account is in a room with history (from before qunzhu ran), then qunzhu starts
    for the first time."""
    ana = await person("ana")
    room = await ana.create_room(name="老群", invite=[bot_person.user_id])
    await bot_person.join(room)
    await ana.say(room, "n old")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}, **options})
    await app.synced()
    return ana, room, app


async def test_the_first_start_does_not_answer_old_messages(
    make_app: MakeApp, person: MakePerson, bot_person: Person, plugin: MxTest
) -> None:
    ana, room, app = await first_start(make_app, person, bot_person)
    await ana.say(room, "n new")
    assert await oks(ana, room, bot_person.user_id, 1) == ["ok n new"]
    assert plugin.handled == ["n new"]
    assert await app.chat_active(room)


async def test_the_first_start_may_replay_history(
    make_app: MakeApp, person: MakePerson, bot_person: Person, plugin: MxTest
) -> None:
    ana, room, _ = await first_start(
        make_app, person, bot_person, replay_history_on_first_start=True
    )
    await ana.say(room, "n new")
    assert await oks(ana, room, bot_person.user_id, 2) == ["ok n old", "ok n new"]
