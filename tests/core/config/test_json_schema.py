"""config_schema, and the example file: loadable, and documenting every key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, SecretStr

from qunzhu.core.config import config_schema, load_config
from qunzhu.core.plugins import PluginSet, load_plugins

KEY_LINE = re.compile(r"^\s*(- )?(\"[^\"]+\"|[\w-]+):( |$)")
EXAMPLE = Path(__file__).parents[3] / "config" / "qunzhu.example.yaml"


class Console(BaseModel):
    """Stand-in for the console adapter's model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = "> "


class Complaints(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str
    categories: tuple[str, ...] = ("housing",)
    api_key: SecretStr | None = None


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def key_paths(
    schema: dict[str, Any], node: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Every key path the schema describes; `*` for any key, `[]` for any list item."""
    node = resolve(schema, node)
    for option in node.get("anyOf", []):
        yield from key_paths(schema, option, path)
    for key, child in node.get("properties", {}).items():
        yield (*path, key)
        yield from key_paths(schema, child, (*path, key))
    if isinstance(node.get("additionalProperties"), dict):
        yield from key_paths(schema, node["additionalProperties"], (*path, "*"))
    if isinstance(node.get("items"), dict):
        yield from key_paths(schema, node["items"], (*path, "[]"))


def present(data: Any, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    head, rest = path[0], path[1:]
    if head == "[]":
        return isinstance(data, list) and any(present(item, rest) for item in data)
    if not isinstance(data, dict):
        return False
    if head == "*":
        return any(present(value, rest) for value in data.values())
    return head in data and present(data[head], rest)


def test_example_file_loads() -> None:
    # the example configures the installed plugins too (plugins.complaints)
    plugins = PluginSet.collect(load_plugins()).section_models()
    settings = load_config(
        EXAMPLE, plugin_models=plugins, adapter_models={"console": Console}, env={}
    )
    assert settings.adapters == {"console": Console()}
    assert settings.source == str(EXAMPLE)
    assert settings.people[0].name == "王书记"


def test_example_file_sets_every_core_key() -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    paths = sorted(set(key_paths(schema := config_schema(), schema)))
    assert ("bot", "timezone") in paths
    assert ("people", "[]", "identities") in paths
    assert ("chats", "*", "plugins") in paths
    missing = [".".join(p) for p in paths if not present(data, p)]
    assert missing == []


def test_example_file_comments_every_key() -> None:
    """Each key has an inline comment, or a comment above it (one comment may cover a run of
    sibling keys, such as host and port)."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()

    def is_comment(line: str) -> bool:
        return line.strip().removeprefix("- ").startswith("#")

    def is_key(line: str) -> bool:
        return KEY_LINE.match(line) is not None

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" -"))

    for i, line in enumerate(lines):
        if not is_key(line) or "#" in line:
            continue
        j = i - 1
        while j >= 0 and is_key(lines[j]) and indent(lines[j]) == indent(line):
            j -= 1
        assert j >= 0 and is_comment(lines[j]), f"line {i + 1} has no comment: {line!r}"


def test_core_schema_is_json_and_strict() -> None:
    schema = config_schema()
    json.dumps(schema)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == [
        "bot",
        "database",
        "adapters",
        "web",
        "dispatcher",
        "outbox",
        "dialogs",
        "calendar",
        "logging",
        "people",
        "org",
        "plugins",
        "chats",
    ]
    bot = resolve(schema, schema["properties"]["bot"])
    assert bot["properties"]["language"]["enum"] == ["zh_Hans", "zh_Hant", "en"]
    web = resolve(schema, schema["properties"]["web"])
    assert web["properties"]["port"]["maximum"] == 65535


def test_schema_includes_plugin_and_adapter_sections() -> None:
    schema = config_schema(
        plugin_models={"complaints": Complaints}, adapter_models={"console": Console}
    )
    json.dumps(schema)
    plugins = schema["properties"]["plugins"]
    assert plugins["additionalProperties"] is False
    section = resolve(schema, plugins["properties"]["complaints"]["anyOf"][0])
    assert set(section["properties"]) == {"group", "categories", "api_key", "enabled"}
    assert section["required"] == ["group"]
    console = resolve(schema, schema["properties"]["adapters"]["properties"]["console"]["anyOf"][0])
    assert set(console["properties"]) == {"prompt"}
    chat = schema["properties"]["chats"]["additionalProperties"]
    override = resolve(
        schema, chat["properties"]["plugins"]["properties"]["complaints"]["anyOf"][0]
    )
    assert "required" not in override  # an override may set any subset
    assert "enabled" not in override["properties"]
    assert "ChatFile" not in schema["$defs"]
