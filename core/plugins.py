"""Loading plugins and collecting what they declare.

`load_plugins` builds a pluggy `PluginManager` (no global one: the application passes it on),
registers the built-ins exactly like third-party plugins, loads the entry points of group
``qunzhu.plugins``, and calls ``check_pending()`` so that a misspelled hook name stops start-up.
`PluginSet` then asks every plugin, one at a time, for its declarations.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel, ConfigDict

from qunzhu.core import hookspecs
from qunzhu.core.commands import Command
from qunzhu.core.errors import PluginError
from qunzhu.core.i18n._catalogs import CORE_DOMAIN
from qunzhu.core.model._capabilities import Feature

__all__ = ["BUILTIN_PLUGINS", "ENTRY_POINT_GROUP", "PluginSet", "load_plugins"]

ENTRY_POINT_GROUP = "qunzhu.plugins"
#: The core's own features, registered through the same plugin API as everything else.
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("core.help", "qunzhu.core.builtin.help"),
    ("core.people", "qunzhu.core.builtin.people"),
    ("core.lang", "qunzhu.core.builtin.lang"),
    ("core.dialogs", "qunzhu.core.builtin.dialogs"),
    ("core.retention", "qunzhu.core.builtin.retention"),
    ("core.web", "qunzhu.core.builtin.web"),
)
log = logging.getLogger("qunzhu.plugins")


def load_plugins(
    extra: Sequence[object | tuple[str, object]] = (),
    *,
    entry_points_enabled: bool = True,
    disabled: Iterable[str] = (),
) -> pluggy.PluginManager:
    """A plugin manager holding the built-ins, the installed entry points (unless disabled) and
    `extra` plugins (modules or objects, optionally as ``(name, plugin)``)."""
    skip = set(disabled)
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, module in BUILTIN_PLUGINS:
        if name not in skip:
            pm.register(importlib.import_module(module), name=name)
    if entry_points_enabled:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in skip or pm.get_plugin(ep.name) is not None:
                continue
            try:
                pm.register(ep.load(), name=ep.name)
            except Exception as exc:
                msg = f"plugin {ep.name!r} ({ep.value}) could not be loaded: {exc}"
                raise PluginError(msg) from exc
    for item in extra:
        name, plugin = item if isinstance(item, tuple) else (_name_of(item), item)
        if name in skip:
            continue
        if pm.get_plugin(name) is not None:
            msg = f"two plugins are named {name!r}"
            raise PluginError(msg)
        pm.register(plugin, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        msg = f"plugin {exc.plugin!r} implements a hook that does not exist: {exc}"
        raise PluginError(msg) from exc
    return pm


def _name_of(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return (
            plugin.__name__.rsplit(".", 1)[-1]
            if plugin.__name__.startswith("qunzhu.plugins.")
            else plugin.__name__
        )
    return getattr(plugin, "name", None) or type(plugin).__name__.lower()


def domain_of(plugin: str) -> str:
    """The gettext domain of a plugin: its name; the built-ins share the core's."""
    return CORE_DOMAIN if plugin.startswith("core.") else plugin


class NoSettings(BaseModel):
    """The section of a plugin that declares no settings: empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class PluginSet:
    """The plugins of one application and everything they declared at start-up."""

    pm: pluggy.PluginManager
    names: list[str] = field(default_factory=list)
    config_models: dict[str, type[BaseModel]] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    models: dict[str, list[type[Any]]] = field(default_factory=dict)
    migrations: dict[str, Path] = field(default_factory=dict)
    catalogs: dict[str, Path] = field(default_factory=dict)
    dialogs: dict[str, Any] = field(default_factory=dict)
    jobs: dict[str, list[Any]] = field(default_factory=dict)
    routes: list[Any] = field(default_factory=list)
    #: The web console's pages and overview panels, each bound to its plugin.
    pages: list[Any] = field(default_factory=list)
    panels: list[Any] = field(default_factory=list)
    #: The features each plugin declared with ``register_features``.
    features: dict[str, list[Feature]] = field(default_factory=dict)

    @classmethod
    def collect(cls, pm: pluggy.PluginManager) -> PluginSet:
        hook = pm.hook
        ps = cls(
            pm,
            names=[n for n, _ in pm.list_name_plugin()],
            config_models={n: m for n, m in _per_plugin(hook.register_config) if m is not None},
            models={n: list(m or ()) for n, m in _per_plugin(hook.register_models)},
            migrations={n: Path(p) for n, p in _per_plugin(hook.register_migrations) if p},
            catalogs={domain_of(n): Path(p) for n, p in _per_plugin(hook.register_catalogs) if p},
            jobs={n: list(j or ()) for n, j in _per_plugin(hook.register_jobs)},
            features={n: list(f) for n, f in _per_plugin(hook.register_features) if f},
        )
        for name, cmds in _per_plugin(pm.hook.register_commands):
            for cmd in cmds or ():
                ps._add_command(cmd.bound(name))
        for name, dialogs in _per_plugin(pm.hook.register_dialogs):
            for dialog in dialogs or ():
                ps._add_dialog(name, dialog)
        for _name, routes in _per_plugin(pm.hook.register_routes):
            ps.routes.extend(routes or ())
        for name, items in _per_plugin(pm.hook.register_pages):
            for item in items or ():
                bound = item.bound(name)
                (ps.panels if hasattr(bound, "order") else ps.pages).append(bound)
        return ps

    def section_models(self) -> dict[str, type[BaseModel]]:
        """The model of every plugin's YAML section; plugins without settings get an empty one,
        so that ``plugins.<name>: {enabled: false}`` works for them too."""
        return {
            name: self.config_models.get(name, NoSettings)
            for name in self.names
            if not name.startswith("core.")
        }

    def _add_command(self, cmd: Command) -> None:
        for n in cmd.names:
            other = self.commands.get(n)
            if other is not None:
                msg = (
                    f"command /{n} is declared by plugin {other.plugin!r} and by plugin "
                    f"{cmd.plugin!r}: rename one, or disable a plugin in the config"
                )
                raise PluginError(msg)
            self.commands[n] = cmd

    def _add_dialog(self, plugin: str, dialog: Any) -> None:
        full = dialog.name if "." in dialog.name else f"{plugin}.{dialog.name}"
        if full in self.dialogs:
            msg = f"dialog {full!r} is declared twice"
            raise PluginError(msg)
        self.dialogs[full] = (plugin, dialog)

    def unique_commands(self) -> list[Command]:
        seen: dict[str, Command] = {}
        for cmd in self.commands.values():
            seen.setdefault(cmd.name, cmd)
        return sorted(seen.values(), key=lambda c: c.name)

    def impls(self, hook_name: str) -> list[tuple[str, Callable[..., Any], list[str]]]:
        """The implementations of an ``on_*`` hook in pluggy's call order: (plugin name,
        function, the argument names it asks for)."""
        hook = getattr(self.pm.hook, hook_name)
        return [
            (i.plugin_name, i.function, list(i.argnames)) for i in reversed(hook.get_hookimpls())
        ]


def _per_plugin(hook: pluggy.HookCaller) -> list[tuple[str, Any]]:
    """Call a ``register_*`` hook on each plugin alone, naming the plugin when it fails."""
    out = []
    for impl in reversed(hook.get_hookimpls()):
        try:
            out.append((impl.plugin_name, impl.function()))
        except Exception as exc:
            msg = f"plugin {impl.plugin_name!r} failed in {hook.name}: {exc}"
            raise PluginError(msg) from exc
    return out
