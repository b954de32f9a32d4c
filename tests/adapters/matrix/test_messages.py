"""What people do in a Matrix group room and what they see the bot do, over the real wire:
replies, edits, mentions, numbered buttons, photos, reactions, and the bot ignoring itself."""

from __future__ import annotations

from qunzhu.adapters.matrix.choices import keycap
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Reply
from tests.adapters.matrix.conftest import MakeApp, MakePerson, png
from tests.adapters.matrix.mxapp import MatrixApp, MxTest
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.synapse import Account


async def group(ana: Person, bot: str, *others: Person, name: str = "北部新城工程") -> str:
    """A named room of `ana`, the bot and `others`, once the bot has greeted the others (the
    test plugin says "<name> joined")."""
    room = await ana.create_room(name=name, invite=[bot, *(o.user_id for o in others)])
    await wait_for(lambda: ana.members(room), lambda members: bot in members)
    for other in others:
        await other.join(room)
    await ana.wait_from_bot(room, bot, len(others))
    return room


async def started(make_app: MakeApp, *people: Person) -> MatrixApp:
    return await make_app(adapter={"invites": {"allow_users": [p.user_id for p in people]}})


async def test_replies_and_edits(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    ana = await person("ana")
    app = await started(make_app, ana)
    bot = bot_account.user_id
    room = await group(ana, bot)
    since = await ana.position()
    original = await ana.say(room, "混凝土没按规范养护")
    await ana.reply(room, original, "偷工减料", quoted="混凝土没按规范养护")
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == f"reply to {original}: 偷工减料"
    reply_to = answer["content"]["m.relates_to"]["m.in_reply_to"]["event_id"]
    assert reply_to != original  # the bot answers the reply itself
    edit = await ana.edit(room, original, "混凝土没有按规范养护")
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == f"edited {original}: 混凝土没有按规范养护"
    inbox = [(event, kind) for chat, event, kind in await app.inbox() if chat == room]
    assert (original, "message") in inbox and (edit, "message") in inbox


async def test_mentions_in_and_out(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    ana, bo = await person("ana"), await person("bo")
    await started(make_app, ana)
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    since = await ana.position()
    await ana.send(
        room,
        {
            "msgtype": "m.text",
            "body": "bo: look",
            "format": "org.matrix.custom.html",
            "formatted_body": f'<a href="https://matrix.to/#/{bo.user_id}">bo</a>: look',
            "m.mentions": {"user_ids": [bo.user_id]},
        },
    )
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == f"mentions matrix:{bo.user_id}"
    await ana.say(room, f"/remind {ana.user_id} {bo.user_id}")
    answer, since = await ana.next_from(room, bot, since)
    content = answer["content"]
    ana_name = ana.user_id[1:].partition(":")[0]
    assert content["m.mentions"] == {"user_ids": [ana.user_id, bo.user_id]}
    assert content["formatted_body"].startswith("请 &lt;b&gt;提交&lt;/b&gt; 周报 ")
    pill = f'<a href="https://matrix.to/#/{ana.user_id}">@{ana_name}</a>'
    assert pill in content["formatted_body"]


async def test_numbered_buttons_pressed_by_number_and_edited_away(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await started(make_app, ana)
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    since = await ana.position()
    await ana.say(room, "/ask")
    question, since = await ana.next_from(room, bot, since)
    body = question["content"]["body"]
    assert body == "Pick one\n\n1. Yes\n2. No\nDocs: https://example.org/?a=1&b=<2>"
    assert (
        '<a href="https://example.org/?a=1&amp;b=&lt;2&gt;">Docs</a>'
        in (question["content"]["formatted_body"])
    )
    await bo.say(room, "3")  # not a button: an ordinary message (no reply from the plugin)
    await bo.say(room, "1")  # anyone in the group may press, as on Telegram
    pressed, since = await ana.next_from(room, bot, since)
    bo_name = bo.user_id[1:].partition(":")[0]
    assert pressed["content"]["body"] == f"pressed mx:yes by {bo_name} under {question['event_id']}"
    shown = await wait_for(
        lambda: ana.event(room, question["event_id"]),
        lambda e: "m.relations" in e.get("unsigned", {}),
    )
    edit = shown["unsigned"]["m.relations"]["m.replace"]
    edited = await ana.event(room, edit["event_id"])
    assert edited["content"]["m.new_content"]["body"] == "Answered: yes"
    assert "3" in plugin.handled and "1" not in plugin.handled
    bot_reactions = [
        e for e in await ana.timeline(room) if e["type"] == "m.reaction" and e["sender"] == bot
    ]
    assert bot_reactions == []  # tappable reactions only in private chats, by default
    kinds = [kind for chat, _, kind in await app.inbox() if chat == room]
    assert kinds.count("button") == 1


async def test_a_photo_post_uploads_once_and_is_edited_to_sold_out(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    ana = await person("ana")
    app = await started(make_app, ana)
    bot = bot_account.user_id
    room = await group(ana, bot)
    since = await ana.position()
    await ana.say(room, "/post")
    first, since = await ana.next_from(room, bot, since)
    await ana.say(room, "/post")
    second, since = await ana.next_from(room, bot, since)
    for post in (first, second):
        content = post["content"]
        assert content["msgtype"] == "m.image" and content["filename"] == "catfish.png"
        assert content["body"] == "鮰鱼 <特价> & 新鲜\n\n1. 我要订购"
        assert content["formatted_body"].startswith("鮰鱼 &lt;特价&gt; &amp; 新鲜")
    assert first["content"]["url"] == second["content"]["url"]
    assert app.adapter.uploads.uploaded == 1
    await ana.react(room, second["event_id"], keycap(1))  # a reaction presses the button
    pressed, since = await ana.next_from(room, bot, since)
    assert pressed["content"]["body"].startswith("pressed mx:order by ")
    shown = await wait_for(
        lambda: ana.event(room, second["event_id"]),
        lambda e: "m.relations" in e.get("unsigned", {}),
    )
    edited = await ana.event(room, shown["unsigned"]["m.relations"]["m.replace"]["event_id"])
    new = edited["content"]["m.new_content"]
    assert (new["msgtype"], new["body"]) == ("m.image", "已售罄")
    assert new["url"] == first["content"]["url"]


async def test_photos_files_locations_and_reactions_from_people(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    ana = await person("ana")
    await started(make_app, ana)
    bot = bot_account.user_id
    room = await group(ana, bot)
    since = await ana.position()
    image = png(5, 5)
    await ana.send_image(room, image, filename="site.png", caption="三标段现场")
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == f"1 photo {len(image)} bytes: 三标段现场"
    assert plugin.downloads == [image]
    await ana.send_location(room, 26.65, 119.52, "北部新城三标段")
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == "location 26.6500,119.5200 北部新城三标段"
    target = await ana.say(room, "周报")
    reaction = await ana.react(room, target, "👍")
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == f"reaction 👍 on {target} removed=False"
    await ana.redact(room, reaction)
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == f"reaction 👍 on {target} removed=True"


async def test_the_bot_ignores_its_own_messages(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    ana = await person("ana")
    app = await started(make_app, ana)
    bot = bot_account.user_id
    room = await group(ana, bot)
    since = await ana.position()
    await ana.say(room, "/echo n echo")  # the answer "n echo" would make the plugin answer again
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == "n echo"
    await ana.say(room, "n later")
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == "ok n later"  # not "ok n echo": that was the bot's own
    recorded = {event for chat, event, kind in await app.inbox() if chat == room}
    said = {e["event_id"] for e in await ana.from_bot(room, bot)}
    assert len(said) == 2 and not recorded & said  # its own join is recorded: the chat is active
    assert plugin.handled == ["n later"]


async def test_a_retried_send_is_delivered_once(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    """The outbox key is the transaction id: a send retried after a lost answer (or a crash
    before the outbox recorded it) is the same event."""
    ana = await person("ana")
    app = await started(make_app, ana)
    room = await group(ana, bot_account.user_id)
    chat = ChatRef("matrix", room, ChatKind.GROUP)
    first = await app.adapter.send_keyed(chat, Reply("只发一次"), "qz42")
    again = await app.adapter.send_keyed(chat, Reply("只发一次"), "qz42")
    assert first == again
    said = [e["content"]["body"] for e in await ana.from_bot(room, bot_account.user_id)]
    assert said.count("只发一次") == 1
