"""The ``qunzhu`` command line.

    qunzhu run [-c FILE]            start the bot (no file: console adapter + SQLite)
    qunzhu run --workers N          N worker processes of one config, restarted when they die
    qunzhu config check FILE        validate a config file without starting
    qunzhu config schema            print the JSON Schema of the config file
    qunzhu config show [-c FILE]    print the effective config, secrets redacted, and what
                                    the database keeps over it (units and roles edited)
    qunzhu db upgrade [-c FILE]     run the database migrations
    qunzhu db backup [-c FILE] TARGET   copy the SQLite database while the bot runs
    qunzhu db revision --plugin NAME -m TEXT   write a plugin's next migration
    qunzhu plugins list [-c FILE]   list the plugins with their commands and hooks
    qunzhu plugin new NAME          write a new plugin's package (``plugin`` = ``plugins``)
    qunzhu i18n update              extract the texts to translate into the catalogs
    qunzhu telegram emulator        an adapter's own commands (entry point group ``qunzhu.cli``)
    qunzhu complaints export ...    a plugin's own commands (entry point group ``qunzhu.cli``)

Bad input ends with a one-line reason on stderr and a non-zero exit code (2 for a bad config).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from qunzhu.core._scaffold import plugin_new
from qunzhu.core.errors import ConfigError, QunzhuError
from qunzhu.core.i18n._extract import i18n

__all__ = ["main"]

DEFAULT_CONFIG = "qunzhu.yaml"
EXIT_CONFIG = 2
EXIT_FAILURE = 1
_CONFIG_OPTION = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="QUNZHU_CONFIG",
    default=None,
    help=f"Config file (default: ./{DEFAULT_CONFIG} if it exists, else built-in defaults).",
)


def _config_file(path: Path | None) -> Path | None:
    if path is not None:
        return path
    default = Path(DEFAULT_CONFIG)
    return default if default.is_file() else None


def _load(path: Path | None, *, secrets: bool = True) -> tuple[Any, Any]:
    """Load plugins and validate the config with their models; drop disabled plugins.
    `secrets=False`: unset ``${VAR}`` outside ``database:`` are kept as written (warnings)."""
    from qunzhu.core.app import AdapterModels
    from qunzhu.core.config import load_config
    from qunzhu.core.plugins import PluginSet, load_plugins

    plugins = PluginSet.collect(load_plugins())
    adapters = AdapterModels()
    settings = load_config(
        _config_file(path),
        plugin_models=plugins.section_models(),
        adapter_models=adapters,
        secrets=secrets,
    )
    if settings.disabled_plugins:
        plugins = PluginSet.collect(load_plugins(disabled=settings.disabled_plugins))
    return settings, plugins


def _fail(exc: Exception) -> None:
    if isinstance(exc, ConfigError):
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(EXIT_CONFIG)
    click.echo(f"qunzhu: {exc}", err=True)
    sys.exit(EXIT_FAILURE)


class _WithPluginCommands(click.Group):
    """The core's commands, and those that installed plugins and adapters declare under the entry
    point group ``qunzhu.cli`` (a click command named after the plugin or the platform), imported
    only when asked for: the core names no adapter or plugin."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, _ALIASES.get(cmd_name, cmd_name))
        if found is not None:
            return found
        entry = _plugin_commands().get(cmd_name)
        if entry is None:
            return None
        loaded = entry.load()
        return loaded if isinstance(loaded, click.Command) else None


def _plugin_commands() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=CLI_GROUP)}


#: Other names of the core's commands (``qunzhu plugin new``, ``qunzhu plugins list``).
_ALIASES = {"plugin": "plugins"}
#: Entry point group of the plugins' and adapters' command-line commands.
CLI_GROUP = "qunzhu.cli"


@click.group(cls=_WithPluginCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qunzhu")
def main() -> None:
    """qunzhu (群主): a chatbot for people who run their work through chat groups."""


@main.command()
@_CONFIG_OPTION
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="Run N worker processes of this config and restart one that dies (several need "
    "PostgreSQL and dispatcher.shared: true). SIGTERM or Ctrl-C stops them all.",
)
@click.option("--worker", type=click.IntRange(min=1), default=None, hidden=True)
def run(config_path: Path | None, workers: int | None, worker: int | None) -> None:
    """Start the bot and run until stopped (Ctrl-C), or until the console's input ends."""
    try:
        settings, plugins = _load(config_path)
        if workers is not None:
            sys.exit(_supervise(settings, _config_file(config_path), workers))
        if worker is not None and settings.web.enabled and settings.web.port:
            # worker N of --workers listens on web.port + N - 1: Prometheus scrapes each
            web = settings.web.model_copy(update={"port": settings.web.port + worker - 1})
            settings = settings.model_copy(update={"web": web})
        _setup_logging(
            settings.logging, quiet_console="console" in settings.adapters, worker=worker
        )
        asyncio.run(_run(settings, plugins))
    except QunzhuError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        pass


def _supervise(settings: Any, path: Path | None, workers: int) -> int:
    """``run --workers N``: check that N copies of this config can run side by side, then
    start and watch them (`qunzhu.core._supervisor`)."""
    from qunzhu.core._installed_adapters import AdapterModels
    from qunzhu.core._supervisor import Supervisor

    if "console" in settings.adapters:
        problem = "the console adapter reads this terminal: run it without --workers"
        raise ConfigError(f"{path or 'the built-in config'}: {problem}")
    if workers > 1:
        if settings.database.url.startswith("sqlite"):
            problem = (
                f"--workers {workers} needs PostgreSQL: database.url is SQLite, which one "
                "process uses at a time (use --workers 1, or a postgresql+asyncpg:// URL)"
            )
            raise ConfigError(f"{path}: {problem}")
        if not settings.dispatcher.shared:
            problem = f"--workers {workers} needs dispatcher.shared: true"
            raise ConfigError(f"{path}: {problem}")
    models = AdapterModels()
    for name in settings.adapters:  # a missing platform library: one line now, not N restarts
        if name in models:
            alone = models.adapter(name).one_process
            if alone and workers > 1 and getattr(settings.adapters[name], "enabled", True):
                problem = (
                    f"--workers {workers}: adapters.{name} runs in one process only: {alone} "
                    "(run it without --workers and with dispatcher.shared: false)"
                )
                raise ConfigError(f"{path}: {problem}")
    _setup_logging(settings.logging, quiet_console=False)
    command = [sys.executable, "-m", "qunzhu.core.cli", "run"]
    if path is not None:
        command += ["-c", str(path.resolve())]
    return Supervisor(command, workers, numbered=True).run()


async def _run(settings: Any, plugins: Any) -> None:
    from qunzhu.core.app import App

    app = App.build(settings, plugins)
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await app.run()


@main.group()
def config() -> None:
    """Check, show and describe configuration files."""


@config.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--without-secrets",
    is_flag=True,
    help="Where the secrets are not set (a CI job): an unset ${VAR} outside database: is a "
    "warning, not a problem.",
)
def config_check(path: Path, without_secrets: bool) -> None:
    """Validate PATH without starting the bot; every problem is listed with its line. Old keys
    that still work are listed as warnings (exit code 0)."""
    try:
        settings, plugins = _load(path, secrets=not without_secrets)
    except QunzhuError as exc:
        _fail(exc)
        return
    for warning in settings.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{path}: OK ({len(settings.adapters)} adapter(s), {len(plugins.names)} plugin(s))")


@config.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of the config file (for editors)."""
    from qunzhu.core._installed_adapters import config_models
    from qunzhu.core.config import config_schema as schema
    from qunzhu.core.plugins import PluginSet, load_plugins

    plugins = PluginSet.collect(load_plugins())
    adapters = config_models()
    doc = schema(plugin_models=plugins.section_models(), adapter_models=adapters)
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@config.command("show")
@_CONFIG_OPTION
def config_show(config_path: Path | None) -> None:
    """Print the effective configuration with secrets redacted (an unset ${VAR} outside
    database: is shown as written)."""
    import yaml

    try:
        settings, _ = _load(config_path, secrets=False)
    except QunzhuError as exc:
        _fail(exc)
        return
    click.echo(yaml.safe_dump(settings.redacted(), allow_unicode=True, sort_keys=False), nl=False)
    from qunzhu.core._config_database import database_part

    part = asyncio.run(database_part(settings))
    click.echo("# Kept in the database, over the file: units and roles changed on the web console")
    click.echo("# (and roles given with /role). The bot lays them over the file at every start.")
    if isinstance(part, str):
        click.echo(f"# {part}")
    else:
        dumped = yaml.safe_dump({"from_database": part}, allow_unicode=True, sort_keys=False)
        click.echo(dumped, nl=False)


@main.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@_CONFIG_OPTION
def db_upgrade(config_path: Path | None) -> None:
    """Create or upgrade the tables of the core and of every plugin. Needs the database's
    settings only: the adapters' secrets may be unset."""
    from qunzhu.core.storage import _migrate as migrate
    from qunzhu.core.storage._database import Database

    async def go(settings: Any, plugins: Any) -> None:
        database = Database(settings.database.url)
        try:
            await migrate.upgrade(database, plugins)
        finally:
            await database.dispose()
        click.echo(f"{database.display_url}: up to date")

    try:
        settings, plugins = _load(config_path, secrets=False)  # a migration job has no bot token
        asyncio.run(go(settings, plugins))
    except QunzhuError as exc:
        _fail(exc)
    except Exception as exc:  # a database that cannot be reached: one line, not a traceback
        _fail(QunzhuError(f"database: {type(exc).__name__}: {str(exc).splitlines()[0]}"))


@db.command("backup")
@_CONFIG_OPTION
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(config_path: Path | None, target: Path) -> None:
    """Copy the SQLite database to TARGET (a new file), safely while the bot runs (SQLite's
    online backup). For PostgreSQL use pg_dump."""
    from qunzhu.core.storage._backup import backup_sqlite

    try:
        settings, _ = _load(config_path, secrets=False)
        source = backup_sqlite(settings.database.url, target)
    except QunzhuError as exc:
        _fail(exc)
        return
    click.echo(f"{source} -> {target}: {target.stat().st_size:,} bytes")


@db.command("revision")
@click.option("--plugin", "plugin", required=True, help="The plugin whose migration to write.")
@click.option("-m", "--message", required=True, help="What the migration does (its docstring).")
def db_revision(plugin: str, message: str) -> None:
    """Write PLUGIN's next migration from the tables it declares, into the folder its
    register_migrations returns (compared with a scratch SQLite database at its last migration).
    Read the file before committing it: a renamed column looks like a dropped one and a new one."""
    from qunzhu.core.plugins import PluginSet, load_plugins
    from qunzhu.core.storage._revision import write_revision

    try:
        path = asyncio.run(write_revision(PluginSet.collect(load_plugins()), plugin, message))
    except QunzhuError as exc:
        _fail(exc)
        return
    if path is None:
        click.echo(f"{plugin}: the tables match the migrations, nothing to write")
    else:
        click.echo(f"wrote {path}")


@main.group()
def plugins() -> None:
    """Inspect plugins, or write a new one (also: qunzhu plugin new)."""


plugins.add_command(plugin_new)


@plugins.command("list")
@_CONFIG_OPTION
def plugins_list(config_path: Path | None) -> None:
    """List the loaded plugins with their commands and hooks."""
    try:
        _, ps = _load(config_path)
    except QunzhuError as exc:
        _fail(exc)
        return
    for name, plugin in ps.pm.list_name_plugin():
        hooks = sorted(h.name for h in ps.pm.get_hookcallers(plugin) or ())
        cmds = [f"/{c.name}" for c in ps.unique_commands() if c.plugin == name]
        click.echo(f"{name}")
        if cmds:
            click.echo(f"  commands: {' '.join(cmds)}")
        click.echo(f"  hooks:    {', '.join(hooks)}")


def _setup_logging(settings: Any, *, quiet_console: bool, worker: int | None = None) -> None:
    """``logging:`` as configured. With the console adapter, only warnings and errors reach the
    terminal unless QUNZHU_LOG_LEVEL says otherwise, so the chat stays readable."""
    from qunzhu.core._logging import setup_logging

    level = settings.level
    chosen = os.environ.get("QUNZHU_LOG_LEVEL") or (
        level if not quiet_console or level in ("WARNING", "ERROR") else "WARNING"
    )
    setup_logging(settings, level=chosen, worker=worker)


main.add_command(i18n)

if __name__ == "__main__":  # python -m qunzhu.core.cli
    main()
