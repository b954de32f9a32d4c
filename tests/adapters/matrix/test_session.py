"""Logging in: a revoked token is replaced by a new login on the same device; a configured access
token is used as it is; the bot opens a private chat with a person when a plugin writes to them;
matrix-nio is imported only when a Matrix adapter is configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qunzhu.core.model._events import ChatKind, ChatRef, UserRef
from qunzhu.core.model._reply import Reply
from tests.adapters.matrix.conftest import MakeApp, MakePerson
from tests.adapters.matrix.mxapp import MatrixApp, MxTest
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.synapse import Account, Synapse
from tests.adapters.matrix.test_messages import group
from tests.adapters.matrix.test_restart import oks


async def test_a_revoked_token_is_replaced_by_a_login_on_the_same_device(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    device, token = app.adapter.client.device_id, app.adapter.client.access_token
    # someone logs the bot's session out (another client, an admin)
    revoked = Person(ana.http, ana.base, Account(bot, bot_account.password, token))
    await revoked.call("POST", "/logout", {})
    await ana.say(room, "n 1")
    assert await oks(ana, room, bot, 1) == ["ok n 1"]
    assert app.adapter.session.logins == 2
    assert app.adapter.client.device_id == device
    assert app.adapter.client.access_token != token
    await app.restart()  # the new token was kept
    await ana.say(room, "n 2")
    assert await oks(ana, room, bot, 2) == ["ok n 1", "ok n 2"]
    assert app.adapter.session.logins == 0


async def test_a_configured_access_token_is_used_as_it_is(
    tmp_path: Path, synapse: Synapse, person: MakePerson, register: object, plugin: MxTest
) -> None:
    ana, bo = await person("ana"), await person("bo")
    account = await register("tokenbot")  # type: ignore[operator]
    app = MatrixApp(
        tmp_path,
        plugin,
        homeserver=synapse.url,
        user_id=account.user_id,
        password="",
        adapter={
            "password": None,
            "access_token": account.access_token,
            "invites": {"allow_users": [ana.user_id]},
        },  # fmt: skip
    )
    await app.start()
    try:
        room = await group(ana, account.user_id, bo)
        await ana.say(room, "n 1")
        assert await oks(ana, room, account.user_id, 1) == ["ok n 1"]
        assert app.adapter.session.logins == 0
        assert app.adapter.client.access_token == account.access_token
    finally:
        await app.stop()


async def test_a_plugin_writing_to_a_person_opens_a_private_chat(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    # asking whether there is a private chat opens none
    assert await app.adapter.known_direct_chat(UserRef("matrix", bo.user_id)) is None
    assert await bo.invited_rooms() == []
    await bo.say(room, "/dm")
    invited = await wait_for(bo.invited_rooms, bool)
    (dm,) = invited
    await bo.join(dm)
    said = await bo.wait_from_bot(dm, bot, 1)
    assert [e["content"]["body"] for e in said] == ["你好，这是私聊。"]
    again = await app.adapter.direct_chat(UserRef("matrix", bo.user_id))
    assert again.chat_id == dm and again.is_direct
    known = await app.adapter.known_direct_chat(UserRef("matrix", bo.user_id))
    assert known is not None and known.chat_id == dm


CHECK = """
import sys
from click.testing import CliRunner
from qunzhu.core.cli import main
import qunzhu.adapters.matrix, qunzhu.adapters.matrix.config

result = CliRunner().invoke(main, ["config", "check", sys.argv[1]])
assert result.exit_code == 0, result.output
print(sorted(m for m in sys.modules if m.split(".")[0] == "nio"))
"""


def test_config_check_without_matrix_never_imports_nio(tmp_path: Path) -> None:
    config = tmp_path / "console.yaml"
    config.write_text("adapters:\n  console: {}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_config_check_of_a_matrix_section(tmp_path: Path) -> None:
    config = tmp_path / "matrix.yaml"
    config.write_text(
        "adapters:\n  matrix:\n    homeserver: https://matrix.example.org\n"
        '    user_id: "@qunzhu:example.org"\n    password: ${MATRIX_PASSWORD}\n'
        "    invites: {allow_servers: [example.org]}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("adapters:\n  matrix:\n    homeserver: matrix.example.org\n    user_id: q\n")
    from click.testing import CliRunner

    from qunzhu.core.cli import main

    ok = CliRunner().invoke(main, ["config", "check", str(config)], env={"MATRIX_PASSWORD": "x"})
    assert ok.exit_code == 0, ok.output
    refused = CliRunner().invoke(main, ["config", "check", str(bad)])
    assert refused.exit_code == 2
    assert "adapters.matrix.homeserver" in refused.output
    assert "adapters.matrix.user_id" in refused.output


async def test_a_worker_that_only_sends(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    """With several workers, one syncs; the others (``sync: false``) send on the same login."""
    ana, bo = await person("ana"), await person("bo")
    first = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    await ana.say(room, "n 0")
    await oks(ana, room, bot, 1)
    device = first.adapter.client.device_id
    await first.stop()
    other = await make_app(adapter={"sync": False})
    await ana.say(room, "n 1")  # nobody receives it
    sent = await other.adapter.send_keyed(
        ChatRef("matrix", room, ChatKind.GROUP), Reply("只发不收"), "qz-only"
    )
    said = await ana.wait_from_bot(room, bot, 2)
    assert [e["event_id"] for e in said if e["content"]["body"] == "只发不收"] == [sent]
    assert other.adapter.client.device_id == device and other.adapter.session.logins == 0
    assert plugin.handled == ["n 0"]
