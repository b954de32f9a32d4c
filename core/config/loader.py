"""`load_config`: read, interpolate and validate `qunzhu.yaml`, reporting every problem at once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from ..errors import ConfigError
from ._file import FileModel
from ._locate import error_problems
from ._org_merge import merge_org
from ._problems import KeyPath, Problem, format_problems, suggest
from ._yaml import Document, parse_yaml
from .org import OrgUnitSettings
from .schema import ChatSettings, Settings

__all__ = ["load_config"]

Models = Mapping[str, type[BaseModel]]
_NO_MODELS: Models = MappingProxyType({})
_BOOL: TypeAdapter[bool] = TypeAdapter(bool)


def load_config(
    path: Path | str | None,
    *,
    plugin_models: Models = _NO_MODELS,
    adapter_models: Models = _NO_MODELS,
    env: Mapping[str, str] | None = None,
    secrets: bool = True,
) -> Settings:
    """Load and validate the configuration file at `path`.

    `path=None` gives the defaults (the console adapter, SQLite). `plugin_models` and
    `adapter_models` map each plugin and adapter name to the pydantic model of its section;
    `${VAR}` references are read from `env` (default: `os.environ`). Raises `ConfigError` listing
    every problem, each as `FILE:LINE:COLUMN: key.path: message`.

    `secrets=False` (``db upgrade``, ``config show``, ``config check --without-secrets``): a
    ``${VAR}`` whose variable is not set stays as written, listed among the warnings, except
    under ``database:``; a migration job needs no bot token.
    """
    if path is None:
        return _Validation(Document(), plugin_models, adapter_models).settings(None)
    file = str(path)
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{file}: config file not found") from None
    except OSError as exc:
        message = f"{file}: cannot read config file: {exc.strerror or exc}"
        raise ConfigError(message) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(_encoding_problem(file, raw, exc)) from None
    try:
        doc = parse_yaml(
            text, os.environ if env is None else env, unset_ok=None if secrets else _not_database
        )
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(file, exc, text)) from None
    validation = _Validation(doc, plugin_models, adapter_models)
    validation.warnings += [replace(p, message=f"{p.message}; kept as written") for p in doc.unset]
    settings = validation.settings(file)
    if validation.problems:
        raise ConfigError(format_problems(file, validation.problems))
    if validation.warnings:
        warnings = tuple(format_problems(file, validation.warnings))
        settings = settings.model_copy(update={"warnings": warnings})
    return settings


def _not_database(path: KeyPath) -> bool:
    return not path or path[0] != "database"


def _encoding_problem(file: str, raw: bytes, exc: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 is, as line and column (in characters)."""
    line = raw.count(b"\n", 0, exc.start) + 1
    start = raw.rfind(b"\n", 0, exc.start) + 1
    column = len(raw[start : exc.start].decode("utf-8", errors="replace")) + 1
    byte = raw[exc.start : exc.start + 1].hex()
    return (
        f"{file}:{line}:{column}: (top level): the file is not UTF-8 (byte 0x{byte} cannot be "
        "read): save it as UTF-8"
    )


def _yaml_problem(file: str, exc: yaml.YAMLError, text: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    elif isinstance(exc, yaml.reader.ReaderError):  # a control character: no mark, an index
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a byte"
        return (
            f"{file}:{line}:{column}: (top level): invalid YAML: the control character "
            f"{character} may not appear in the file: delete it"
        )
    else:
        line, column = 1, 1
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return f"{file}:{line}:{column}: (top level): invalid YAML: {detail}"


class _Validation:
    """One validation run: collects problems, builds the `Settings` from what validated."""

    def __init__(self, doc: Document, plugin_models: Models, adapter_models: Models) -> None:
        self.doc = doc
        self.plugin_models = plugin_models
        self.adapter_models = adapter_models
        self.problems: list[Problem] = list(doc.problems)
        self.warnings: list[Problem] = []

    def settings(self, source: str | None) -> Settings:
        """The validated settings; placeholders where a section failed (see `problems`)."""
        data = self.doc.data if self.doc.data is not None else {}
        if not isinstance(data, dict):
            self.problems.append(Problem(1, 1, (), "the file must be a mapping of sections"))
            data = {}
        # A section with nothing under it (all commented out) keeps its defaults.
        data = {key: value for key, value in data.items() if value is not None}
        core = self.validate(FileModel, data, [()])
        file = core if isinstance(core, FileModel) else FileModel()
        plugins, disabled, raw_plugins = self.plugins(data)
        raw_chats = data.get("chats")
        overrides = {
            key: self.chat_plugins(key, chat, raw_plugins)
            for key, chat in (raw_chats.items() if isinstance(raw_chats, dict) else ())
            if isinstance(chat, dict)
        }
        chats = {
            key: ChatSettings(language=chat.language, plugins=overrides.get(key, {}))
            for key, chat in file.chats.items()
        }
        self.check_people(data.get("people"))
        org = self.org(data, file.org if core is not None else None, plugins, disabled)
        return Settings(
            bot=file.bot,
            database=file.database,
            adapters=self.adapters(data),
            web=file.web,
            dispatcher=file.dispatcher,
            outbox=file.outbox,
            dialogs=file.dialogs,
            calendar=file.calendar,
            logging=file.logging,
            people=file.people,
            org=org,
            plugins=plugins,
            disabled_plugins=disabled,
            chats=chats,
            source=source,
        )

    def org(
        self,
        data: dict[str, Any],
        written: dict[str, OrgUnitSettings] | None,
        plugins: Mapping[str, BaseModel],
        disabled: frozenset[str],
    ) -> dict[str, OrgUnitSettings]:
        """``org:`` merged with the units of the plugins' old sections, checked across units."""
        if written is None:  # another section failed: validate org: on its own
            alone = self.validate(FileModel, {"org": data["org"]} if "org" in data else {}, [()])
            written = alone.org if isinstance(alone, FileModel) else None
        enabled = {name: model for name, model in plugins.items() if name not in disabled}
        merged = merge_org(self.doc, written, enabled)
        self.problems += merged.problems
        self.warnings += merged.warnings
        return merged.units

    def validate(
        self, model: type[BaseModel], data: Any, roots: list[KeyPath], **options: Any
    ) -> BaseModel | None:
        """`model` validated from `data`, or None with the errors added to `problems`."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            if self.doc.unset and isinstance(data, dict) and self.only_kept(exc, roots):
                # only values kept as written (`secrets=False`) failed: the section as written
                return model.model_construct(**data)
            self.problems += error_problems(self.doc, model, roots, exc, **options)
            return None

    def only_kept(self, exc: ValidationError, roots: list[KeyPath]) -> bool:
        """Whether every error of `exc` is at an unset ``${VAR}`` kept as written."""
        kept = {problem.path for problem in self.doc.unset}
        return all(any((*root, *error["loc"]) in kept for root in roots) for error in exc.errors())

    def sections(
        self, data: dict[str, Any], key: str, known: Models, what: str, base: KeyPath = ()
    ) -> dict[str, Any]:
        """The mapping sections under `key` (at `base`) whose name is in `known`; unknown names
        are problems (sections that are not mappings were reported by `FileModel`)."""
        raw = data.get(key)
        if not isinstance(raw, dict):
            return {}  # absent, or not a mapping (FileModel reported it)
        found = {}
        for name, section in raw.items():
            if name not in known:
                self.unknown(what, (*base, key, name), known)
            elif section is None or isinstance(section, dict):
                found[name] = section if section is not None else {}
        return found

    def unknown(self, what: str, path: KeyPath, known: Models) -> None:
        name = str(path[-1])
        close = suggest(name, known)
        if close is not None:
            message = f"unknown {what} '{name}' (did you mean '{close}'?)"
        elif known:
            message = f"unknown {what} '{name}' (known {what}s: {', '.join(sorted(known))})"
        else:
            message = f"unknown {what} '{name}' (no {what}s with settings are installed)"
        line, column = self.doc.keys.get(path, (1, 1))
        self.problems.append(Problem(line, column, path, message))

    def adapters(self, data: dict[str, Any]) -> dict[str, BaseModel]:
        """Each configured adapter's validated section; the console by default."""
        if "adapters" not in data:
            console = self.adapter_models.get("console")
            return {"console": console()} if console is not None else {}
        adapters = {}
        for name, section in self.sections(
            data, "adapters", self.adapter_models, "adapter"
        ).items():
            model = self.validate(self.adapter_models[name], section, [("adapters", name)])
            if model is not None:
                adapters[name] = model
        return adapters

    def plugins(
        self, data: dict[str, Any]
    ) -> tuple[dict[str, BaseModel], frozenset[str], dict[str, dict[str, Any] | None]]:
        """Validated plugin sections, disabled plugins, and the sections as written (without
        `enabled`; None when the section failed validation)."""
        written = self.sections(data, "plugins", self.plugin_models, "plugin")
        plugins: dict[str, BaseModel] = {}
        disabled: set[str] = set()
        raw: dict[str, dict[str, Any] | None] = {}
        for name, model_type in self.plugin_models.items():
            if name not in written:
                raw[name] = {}
                default = _default(model_type)
                if default is not None:
                    plugins[name] = default
                continue
            section = dict(written[name])
            if "enabled" in section and not self.enabled(name, section.pop("enabled")):
                disabled.add(name)
            model = self.validate(model_type, section, [("plugins", name)], extra_keys=["enabled"])
            raw[name] = section if model is not None else None
            if model is not None:
                plugins[name] = model
        return plugins, frozenset(disabled), raw

    def enabled(self, name: str, value: Any) -> bool:
        try:
            return _BOOL.validate_python(value)
        except ValidationError as exc:
            self.problems += error_problems(
                self.doc, FileModel, [("plugins", name, "enabled")], exc
            )
            return True

    def chat_plugins(
        self, key: str, chat: dict[str, Any], raw_plugins: Mapping[str, dict[str, Any] | None]
    ) -> dict[str, BaseModel]:
        """Chat `key`'s plugin overrides, each merged onto its base section and validated."""
        what = f"chats.{key}.plugins"
        merged: dict[str, BaseModel] = {}
        written = self.sections(chat, "plugins", self.plugin_models, "plugin", ("chats", key))
        for name, override in written.items():
            root: KeyPath = ("chats", key, "plugins", name)
            if isinstance(override, dict) and "enabled" in override:
                line, column = self.doc.keys[(*root, "enabled")]
                message = f"'enabled' cannot be set per chat in {what}; set it under plugins.{name}"
                self.problems.append(Problem(line, column, (*root, "enabled"), message))
                continue
            base = raw_plugins.get(name)
            data = _deep_merge(base or {}, override)
            roots = [root, ("plugins", name)]
            model = self.validate(self.plugin_models[name], data, roots, skip_missing=base is None)
            if model is not None:
                merged[name] = model
        return merged

    def check_people(self, people: Any) -> None:
        """An identity may belong to one person only (checked on the data as written, so it is
        reported even when other problems stop `people` from validating)."""
        owners: dict[str, int] = {}
        for i, person in enumerate(people if isinstance(people, list) else ()):
            identities = person.get("identities") if isinstance(person, dict) else None
            for j, identity in enumerate(identities if isinstance(identities, list) else ()):
                if not isinstance(identity, str):
                    continue
                first = owners.setdefault(identity, i)
                if first != i:
                    path: KeyPath = ("people", i, "identities", j)
                    line, column = self.doc.values.get(path, (1, 1))
                    message = f"identity '{identity}' already belongs to people[{first}]"
                    self.problems.append(Problem(line, column, path, message))


def _default(model: type[BaseModel]) -> BaseModel | None:
    """`model()` when it has no required field, else None."""
    try:
        return model()
    except ValidationError:
        return None


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` merged onto `base`: mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = _deep_merge(old, value)
        else:
            merged[key] = value
    return merged
