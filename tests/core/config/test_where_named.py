"""Which entries of the config file name a chat (for the operator, when a platform gives the
chat a new id: a Telegram group upgraded to a supergroup)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from qunzhu.core.config import load_config

OLD = "telegram:-4000000001"


def test_every_entry_naming_a_chat_is_found_by_its_key_path(tmp_path: Path) -> None:
    path = tmp_path / "qunzhu.yaml"
    path.write_text(
        textwrap.dedent(f"""\
            org:
              village-3: {{name: 三村, chats: ["{OLD}"]}}
              township: {{name: 镇政府, chats: ["telegram:-1001", "{OLD}"]}}
            chats:
              "{OLD}": {{language: en}}
              "telegram:-1002": {{language: zh_Hant}}
            """),
        encoding="utf-8",
    )
    settings = load_config(path)
    assert sorted(settings.where_named(OLD)) == [
        f"chats.{OLD}",
        "org.township.chats[1]",
        "org.village-3.chats[0]",
    ]
    assert settings.where_named("telegram:-4000000002") == []
