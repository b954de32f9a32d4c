"""Plugin and adapter sections, `enabled: false`, and per-chat plugin overrides."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from qunzhu.core.config import Settings, load_config
from qunzhu.core.errors import ConfigError


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_day: int = 5
    per_hour: int = 2


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    greeting: str = "hi"
    categories: tuple[str, ...] = ("housing",)
    limits: Limits = Limits()


class Needs(BaseModel):
    """A plugin whose section has a required key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str
    hours: int = Field(24, gt=0)


class Console(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Telegram(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    token: str
    mode: str = "polling"


PLUGINS: dict[str, type[BaseModel]] = {"example": Example, "needs": Needs}
ADAPTERS: dict[str, type[BaseModel]] = {"console": Console, "telegram": Telegram}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "qunzhu.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load(path: Path) -> Settings:
    return load_config(path, plugin_models=PLUGINS, adapter_models=ADAPTERS, env={})


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(path)
    return list(caught.value.problems)


def test_plugin_section_is_validated_by_its_model(tmp_path: Path) -> None:
    path = write(tmp_path, "plugins:\n  example: {greeting: 你好, limits: {per_day: 9}}\n")
    settings = load_config(path, plugin_models=PLUGINS)
    assert settings.plugins["example"] == Example(greeting="你好", limits=Limits(per_day=9))
    assert settings.plugin_config("example") == settings.plugins["example"]


def test_plugins_without_a_section(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, "bot: {}\n"), plugin_models=PLUGINS)
    assert settings.plugins == {"example": Example()}  # needs has a required key: no config
    assert settings.plugin_config("needs") is None
    assert settings.plugin_config("nothing") is None


def test_empty_plugin_section_means_defaults(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, "plugins:\n  example:\n"), plugin_models=PLUGINS)
    assert settings.plugins["example"] == Example()


def test_plugin_section_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        plugins:
          example:
            greting: hi
            limits: {per_day: lots}
          needs:
            hours: 0
          exampel: {}
          other: {}
        """,
    )
    f = str(path)
    assert problems(path) == [
        f"{f}:3:5: plugins.example.greting: unknown key 'greting' (did you mean 'greeting'?)",
        f"{f}:4:23: plugins.example.limits.per_day: "
        "Input should be a valid integer, unable to parse string as an integer",
        f"{f}:5:3: plugins.needs: missing required key 'group'",
        f"{f}:6:12: plugins.needs.hours: Input should be greater than 0",
        f"{f}:7:3: plugins.exampel: unknown plugin 'exampel' (did you mean 'example'?)",
        f"{f}:8:3: plugins.other: unknown plugin 'other' (known plugins: example, needs)",
    ]


def test_unknown_plugin_when_none_are_installed(tmp_path: Path) -> None:
    path = write(tmp_path, "plugins:\n  example: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f"{path}:2:3: plugins.example: unknown plugin 'example' "
        "(no plugins with settings are installed)"
    ]


def test_plugin_section_of_the_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "plugins:\n  example: [1, 2]\n")
    assert problems(path) == [f"{path}:2:12: plugins.example: Input should be a mapping"]


def test_enabled_false_disables_a_plugin(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        plugins:
          example: {enabled: false, greeting: hello}
          needs: {enabled: "${NEEDS_ON:-true}", group: "telegram:-1"}
        """,
    )
    settings = load_config(path, plugin_models=PLUGINS, env={})
    assert settings.disabled_plugins == frozenset({"example"})
    assert settings.plugins["example"] == Example(greeting="hello")
    assert settings.plugins["needs"] == Needs(group="telegram:-1")


def test_enabled_must_be_a_boolean(tmp_path: Path) -> None:
    path = write(tmp_path, "plugins:\n  example:\n    enabled: sometimes\n    greting: x\n")
    assert problems(path) == [
        f"{path}:3:14: plugins.example.enabled: "
        "Input should be a valid boolean, unable to interpret input",
        f"{path}:4:5: plugins.example.greting: unknown key 'greting' (did you mean 'greeting'?)",
    ]


def test_unknown_key_suggests_enabled(tmp_path: Path) -> None:
    path = write(tmp_path, "plugins:\n  example: {enabeld: false}\n")
    assert problems(path) == [
        f"{path}:2:13: plugins.example.enabeld: unknown key 'enabeld' (did you mean 'enabled'?)"
    ]


def test_per_chat_override_is_deep_merged_and_validated(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        plugins:
          example:
            greeting: 你好
            limits: {per_day: 9, per_hour: 3}
        chats:
          "console:village-3":
            language: en
            plugins:
              example:
                greeting: hello
                limits: {per_hour: 1}
                categories: [roads]
          "telegram:-100":
            language: zh_Hant
        """,
    )
    settings = load_config(path, plugin_models=PLUGINS)
    base = Example(greeting="你好", limits=Limits(per_day=9, per_hour=3))
    merged = Example(greeting="hello", categories=("roads",), limits=Limits(per_day=9, per_hour=1))
    assert settings.plugin_config("example") == base
    assert settings.plugin_config("example", "console:village-3") == merged
    assert settings.plugin_config("example", "telegram:-100") == base
    assert settings.plugin_config("example", "console:elsewhere") == base
    assert settings.plugin_config("example", "console:village-3") is settings.plugin_config(
        "example", "console:village-3"
    )
    assert settings.chat_language("console:village-3") == "en"
    assert settings.chat_language("telegram:-100") == "zh_Hant"
    assert settings.chats["console:village-3"].plugins == {"example": merged}


def test_per_chat_override_supplies_a_required_key(tmp_path: Path) -> None:
    path = write(tmp_path, "chats:\n  'console:a':\n    plugins:\n      needs: {group: g}\n")
    settings = load_config(path, plugin_models=PLUGINS)
    assert settings.plugin_config("needs") is None
    assert settings.plugin_config("needs", "console:a") == Needs(group="g")


def test_per_chat_override_errors_point_at_the_override(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        plugins:
          example: {greeting: hi}
        chats:
          "console:village-3":
            plugins:
              example:
                limits: {per_hour: often}
                colour: red
              needs: {hours: 5}
              exampel: {}
          "console:other":
            plugins:
              example: {enabled: false}
        """,
    )
    f = str(path)
    assert problems(path) == [
        f"{f}:7:28: chats.console:village-3.plugins.example.limits.per_hour: "
        "Input should be a valid integer, unable to parse string as an integer",
        f"{f}:8:9: chats.console:village-3.plugins.example.colour: "
        "unknown key 'colour' (valid keys: greeting, categories, limits)",
        f"{f}:9:7: chats.console:village-3.plugins.needs: missing required key 'group'",
        f"{f}:10:7: chats.console:village-3.plugins.exampel: "
        "unknown plugin 'exampel' (did you mean 'example'?)",
        f"{f}:13:17: chats.console:other.plugins.example.enabled: "
        "'enabled' cannot be set per chat in chats.console:other.plugins; "
        "set it under plugins.example",
    ]


def test_invalid_base_section_is_reported_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        plugins:
          needs: {hours: -1}
        chats:
          "console:a":
            plugins:
              needs: {hours: 3}
        """,
    )
    assert problems(path) == [
        f"{path}:2:3: plugins.needs: missing required key 'group'",
        f"{path}:2:18: plugins.needs.hours: Input should be greater than 0",
    ]


def test_chat_override_errors_are_reported_when_other_sections_fail(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        bot: {timezone: Mars/Base}
        chats:
          "console:a":
            plugins:
              example: {greeting: [1]}
        """,
    )
    assert problems(path) == [
        f"{path}:1:17: bot.timezone: unknown timezone 'Mars/Base': "
        "use an IANA name such as Asia/Shanghai",
        f"{path}:5:27: chats.console:a.plugins.example.greeting: Input should be a valid string",
    ]


def test_adapters_are_validated_by_their_models(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        adapters:
          telegram:
            token: ${TELEGRAM_TOKEN}
        """,
    )
    settings = load_config(path, adapter_models=ADAPTERS, env={"TELEGRAM_TOKEN": "1:abc"})
    assert settings.adapters == {"telegram": Telegram(token="1:abc")}  # no console: not listed


def test_adapter_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        adapters:
          console: {colour: true}
          telegram: {}
          telegarm: {}
          signal: {}
        """,
    )
    f = str(path)
    assert problems(path) == [
        f"{f}:2:13: adapters.console.colour: unknown key 'colour'",
        f"{f}:3:3: adapters.telegram: missing required key 'token'",
        f"{f}:4:3: adapters.telegarm: unknown adapter 'telegarm' (did you mean 'telegram'?)",
        f"{f}:5:3: adapters.signal: unknown adapter 'signal' (known adapters: console, telegram)",
    ]
