"""load_config: defaults, files, environment variables, and how problems are reported."""

from __future__ import annotations

import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ConfigDict

from qunzhu.core.config import LANGUAGES, Settings, load_config
from qunzhu.core.errors import ConfigError


class Console(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = "> "


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "qunzhu.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env)
    return list(caught.value.problems)


def test_defaults_without_a_file() -> None:
    settings = load_config(None, adapter_models={"console": Console})
    assert settings.source is None
    assert settings.bot.name == "qunzhu"
    assert settings.bot.language == "zh_Hans"
    assert settings.bot.tz == ZoneInfo("Asia/Shanghai")
    assert settings.database.url == "sqlite+aiosqlite:///qunzhu.db"
    assert settings.database.upgrade_at_start is True
    assert settings.adapters == {"console": Console()}
    assert settings.web.port == 8080
    assert settings.dispatcher.handler_timeout == 30.0
    assert settings.dispatcher.max_text_length == 20000
    assert settings.dialogs.timeout == 1800
    assert settings.logging.level == "INFO"
    assert settings.people == ()
    assert settings.plugins == {}
    assert settings.disabled_plugins == frozenset()
    assert settings.chats == {}
    assert LANGUAGES == ("zh_Hans", "zh_Hant", "en")


def test_defaults_without_a_console_model_have_no_adapter() -> None:
    assert load_config(None).adapters == {}


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, ""), adapter_models={"console": Console})
    assert settings.source == str(tmp_path / "qunzhu.yaml")
    assert settings.adapters == {"console": Console()}
    assert settings.bot == Settings().bot


def test_empty_sections_keep_their_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "bot:\n  # name: x\nadapters:\nplugins:\npeople:\nchats:\n")
    settings = load_config(path, adapter_models={"console": Console})
    assert settings.bot.name == "qunzhu"
    assert settings.adapters == {"console": Console()}
    assert settings.people == ()


def test_values_from_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        bot: {name: 群主, language: en, timezone: Europe/Berlin, admins: ["telegram:1"]}
        database: {url: "postgresql+asyncpg://u:p@db/q", echo: true}
        adapters:
          console:
        logging: {level: debug}
        people:
          - name: 王书记
            identities: ["telegram:12345", "console:wang"]
            roles: [admin, supervisor, "member:housing"]
            lang: zh_Hant
        """,
    )
    settings = load_config(path, adapter_models={"console": Console})
    assert settings.bot.name == "群主"
    assert settings.bot.tz == ZoneInfo("Europe/Berlin")
    assert settings.bot.admins == ("telegram:1",)
    assert settings.database.echo is True
    assert settings.database.upgrade_at_start is False
    assert settings.adapters == {"console": Console()}
    assert settings.logging.level == "DEBUG"
    person = settings.people[0]
    assert person.identities == ("telegram:12345", "console:wang")
    assert person.roles == ("admin", "supervisor", "member:housing")
    assert person.lang == "zh_Hant"


def test_settings_are_frozen() -> None:
    settings = load_config(None)
    with pytest.raises(ValueError, match="frozen"):
        settings.bot.__setattr__("name", "other")


def test_env_interpolation_with_default_and_escape(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        bot:
          name: "${BOT_NAME}-${SUFFIX:-bot}"
          timezone: ${TZ_NAME:-Asia/Shanghai}
        database:
          url: sqlite+aiosqlite:///${DB_FILE}
        web:
          port: ${PORT:-8080}
          host: "$${NOT_A_VAR}"
        """,
    )
    env = {"BOT_NAME": "群主", "DB_FILE": "x.db", "TZ_NAME": ""}
    settings = load_config(path, env=env)
    assert settings.bot.name == "群主-bot"
    assert settings.bot.timezone == "Asia/Shanghai"  # set but empty: the default
    assert settings.database.url == "sqlite+aiosqlite:///x.db"
    assert settings.web.port == 8080
    assert settings.web.host == "${NOT_A_VAR}"


def test_env_defaults_to_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUNZHU_TEST_NAME", "from-environ")
    path = write(tmp_path, "bot: {name: '${QUNZHU_TEST_NAME}'}\n")
    assert load_config(path).bot.name == "from-environ"


def test_unset_variable_is_an_error_at_its_position(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        bot:
          name: qunzhu
        database:
          url: "postgresql+asyncpg://bot:${DB_PASSWORD}@db/qunzhu"
        web:
          host: ${HOST}
        """,
    )
    file = str(path)
    assert problems(path, env={}) == [
        f"{file}:4:34: database.url: environment variable DB_PASSWORD is not set "
        "(set it, or write ${DB_PASSWORD:-default} to give a default)",
        f"{file}:6:9: web.host: environment variable HOST is not set "
        "(set it, or write ${HOST:-default} to give a default)",
    ]


def test_variables_in_keys_are_replaced(tmp_path: Path) -> None:
    path = write(tmp_path, 'chats:\n  "telegram:${GROUP}": {language: en}\n')
    settings = load_config(path, env={"GROUP": "-100"})
    assert settings.chat_language("telegram:-100") == "en"
    assert settings.chat_language("telegram:-200") is None


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert problems(path) == [f"{path}: config file not found"]


def test_malformed_yaml_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bot:\n  name: qunzhu\n  language: [en\nweb: {}\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:4:4: (top level): invalid YAML: ")
    assert "expected ',' or ']'" in problem


def test_malformed_yaml_bad_indentation(tmp_path: Path) -> None:
    path = write(tmp_path, "bot:\n  name: a\n   language: en\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:3:12: (top level): invalid YAML: mapping values")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- bot\n")
    assert problems(path) == [f"{path}:1:1: (top level): the file must be a mapping of sections"]


def test_every_problem_at_once_with_positions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        bot:
          name: qunzhu
          language: fr
          timezone: Asia/Shangai
          admins: [telegram123]
        databse:
          url: x
        web:
          port: 70000
        dispatcher:
          handler_timeout: -1
          max_text_length: many
        logging: {level: LOUD}
        people:
          - name: 王书记
            identities: ["console:wang"]
          - identities: ["console:wang"]
            roles: ["bad role"]
          - name: nobody
            identities: []
        """,
    )
    f = str(path)
    assert problems(path) == [
        f"{f}:3:13: bot.language: Input should be 'zh_Hans', 'zh_Hant' or 'en'",
        f"{f}:4:13: bot.timezone: unknown timezone 'Asia/Shangai': "
        "use an IANA name such as Asia/Shanghai",
        f"{f}:5:12: bot.admins[0]: 'telegram123' is not an identity: "
        "write platform:id, e.g. telegram:12345",
        f"{f}:6:1: databse: unknown key 'databse' (did you mean 'database'?)",
        f"{f}:9:9: web.port: Input should be less than or equal to 65535",
        f"{f}:11:20: dispatcher.handler_timeout: Input should be greater than 0",
        f"{f}:12:20: dispatcher.max_text_length: "
        "Input should be a valid integer, unable to parse string as an integer",
        f"{f}:13:18: logging.level: Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'",
        f"{f}:17:5: people[1]: missing required key 'name'",
        f"{f}:17:18: people[1].identities[0]: identity 'console:wang' already belongs to people[0]",
        f"{f}:18:13: people[1].roles[0]: "
        "'bad role' is not a role: write a name, or name:scope, e.g. member:housing",
        f"{f}:20:17: people[2].identities: "
        "List should have at least 1 item after validation, not 0",
    ]


def test_unknown_key_in_a_section_suggests_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path, "bot:\n  nmae: x\nweb:\n  zzz: 1\n")
    assert problems(path) == [
        f"{path}:2:3: bot.nmae: unknown key 'nmae' (did you mean 'name'?)",
        f"{path}:4:3: web.zzz: unknown key 'zzz' "
        "(valid keys: enabled, host, port, public_url, link_minutes, session_hours)",
    ]


def test_wrong_type_of_section(tmp_path: Path) -> None:
    path = write(tmp_path, "bot: hello\npeople: {name: x}\nplugins: [a]\n")
    assert problems(path) == [
        f"{path}:1:6: bot: Input should be a mapping",
        f"{path}:2:9: people: Input should be a list",
        f"{path}:3:10: plugins: Input should be a mapping",
    ]


def test_wrong_scalar_types(tmp_path: Path) -> None:
    path = write(tmp_path, "database:\n  echo: maybe\nweb:\n  enabled: [1]\n")
    assert problems(path) == [
        f"{path}:2:9: database.echo: Input should be a valid boolean, unable to interpret input",
        f"{path}:4:12: web.enabled: Input should be a valid boolean",
    ]


def test_invalid_database_url(tmp_path: Path) -> None:
    path = write(tmp_path, "database: {url: 'not a url'}\n")
    assert problems(path) == [
        f"{path}:1:17: database.url: not a database URL: write e.g. sqlite+aiosqlite:///qunzhu.db"
    ]


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "bot:\n  name: a\n  name: b\n")
    assert problems(path) == [
        f"{path}:3:3: bot.name: duplicate key 'name' (first written on line 2)"
    ]


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        chats:
          "console:a": &shared {language: en}
          "console:b":
            <<: *shared
            language: zh_Hant
          "console:c": *shared
        """,
    )
    settings = load_config(path)
    assert settings.chat_language("console:a") == "en"
    assert settings.chat_language("console:b") == "zh_Hant"
    assert settings.chat_language("console:c") == "en"


def test_unsupported_tag(tmp_path: Path) -> None:
    path = write(tmp_path, "bot:\n  name: !secret x\n")
    assert problems(path) == [
        f"{path}:2:9: bot.name: cannot read value: "
        "could not determine a constructor for the tag '!secret'"
    ]


def test_chat_keys_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "chats:\n  village-3: {}\n  'console:x': {lang: en}\n")
    assert problems(path) == [
        f"{path}:2:3: chats.village-3: 'village-3' is not a chat key: "
        "write platform:chat_id, e.g. telegram:-1001234",
        f"{path}:3:17: chats.console:x.lang: unknown key 'lang' (did you mean 'language'?)",
    ]
