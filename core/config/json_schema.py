"""`config_schema`: the JSON Schema of `qunzhu.yaml`, for editors (`qunzhu config schema`)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from ._file import ChatFile, FileModel
from ._types import CHAT_KEY_PATTERN, LANGUAGES

__all__ = ["config_schema"]

_NO_MODELS: Mapping[str, type[BaseModel]] = MappingProxyType({})
_REF = "#/$defs/"


def config_schema(
    plugin_models: Mapping[str, type[BaseModel]] = _NO_MODELS,
    adapter_models: Mapping[str, type[BaseModel]] = _NO_MODELS,
) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the configuration file, with a property for each
    adapter section and each plugin section (which may also hold `enabled`)."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(FileModel, "validation")]
    models += [(m, "validation") for m in (*adapter_models.values(), *plugin_models.values())]
    refs, top = models_json_schema(models)
    defs: dict[str, Any] = top.get("$defs", {})

    def name_of(model: type[BaseModel]) -> str:
        return str(refs[(model, "validation")]["$ref"]).removeprefix(_REF)

    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    schema.update(defs.pop(name_of(FileModel)))
    defs.pop(ChatFile.__name__, None)  # replaced below by a schema naming each plugin
    properties = schema["properties"]
    properties["adapters"] = _sections(
        {name: _nullable(_REF + name_of(m)) for name, m in adapter_models.items()},
        "Adapters to run: name -> that adapter's settings.",
    )
    plugin_sections: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    for name, model in plugin_models.items():
        section = copy.deepcopy(defs[name_of(model)])
        section.setdefault("properties", {})["enabled"] = {
            "type": "boolean",
            "default": True,
            "description": "false turns the plugin off.",
        }
        defs[f"{name_of(model)}Section"] = section
        plugin_sections[name] = _nullable(f"{_REF}{name_of(model)}Section")
        override = copy.deepcopy(defs[name_of(model)])
        override.pop("required", None)
        defs[f"{name_of(model)}Override"] = override
        overrides[name] = _nullable(f"{_REF}{name_of(model)}Override")
    properties["plugins"] = _sections(plugin_sections, "Plugin settings: name -> section.")
    properties["chats"] = _chats(overrides)
    if defs:
        schema["$defs"] = defs
    return schema


def _nullable(ref: str) -> dict[str, Any]:
    """A section: its model's schema, or null (`console:` with nothing after it)."""
    return {"anyOf": [{"$ref": ref}, {"type": "null"}]}


def _sections(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": False,
    }


def _chats(overrides: dict[str, Any]) -> dict[str, Any]:
    chat = {
        "type": "object",
        "properties": {
            "language": {"anyOf": [{"enum": list(LANGUAGES)}, {"type": "null"}], "default": None},
            "plugins": _sections(overrides, "Per-chat plugin overrides, merged onto plugins."),
        },
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "description": "Per-chat settings: 'platform:chat_id' -> settings.",
        "propertyNames": {"pattern": f"^{CHAT_KEY_PATTERN.pattern}$"},
        "additionalProperties": chat,
    }
