"""The application: builds every service from the settings and runs them together.

    settings ─▶ build_app ─▶ App(db, clock, people, dialogs, dispatcher, adapters, web)

Nothing here is global: tests build as many apps as they like, each with its own database, clock
and adapters.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from qunzhu.core._adapter_start import start_when_reachable
from qunzhu.core._election import Election
from qunzhu.core._installed_adapters import ADAPTER_GROUP, AdapterModels
from qunzhu.core._people_directory import People
from qunzhu.core._system_work import as_plugin
from qunzhu.core._tally import Tally
from qunzhu.core.adapter import EVENT_HOOKS, Adapter, AdapterConfig, Declared
from qunzhu.core.clock import Clock, SystemClock
from qunzhu.core.commands import Command
from qunzhu.core.config import Settings, load_config
from qunzhu.core.context import Context
from qunzhu.core.delivery._inbox import Inbox
from qunzhu.core.delivery._outbox import Outgoing
from qunzhu.core.delivery._sender import Sender
from qunzhu.core.dialogs._service import DialogService
from qunzhu.core.dispatch._loop import Dispatcher
from qunzhu.core.errors import AdapterError, ConfigError
from qunzhu.core.i18n._catalogs import Catalogs
from qunzhu.core.model._capabilities import Feature
from qunzhu.core.model._events import ChatRef, Event, UserRef
from qunzhu.core.org import Org
from qunzhu.core.org._overlay import OrgState, build_org, load_edits
from qunzhu.core.org._watch import OrgWatch
from qunzhu.core.people import PersonSpec
from qunzhu.core.plugins import PluginSet, domain_of, load_plugins
from qunzhu.core.scheduling._scheduler import Scheduler
from qunzhu.core.scheduling._workdays import WorkCalendar
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._tables import ANALYZED_TABLES

T = TypeVar("T")

__all__ = ["ADAPTER_GROUP", "AdapterModels", "App", "load_settings"]
log = logging.getLogger("qunzhu.app")


def load_settings(path: Path | None) -> Settings:
    """The settings in `path` (None: the built-in defaults), validated with the models of every
    installed plugin and adapter: what a plugin's own command (``qunzhu complaints export``)
    reads. Raises `ConfigError` listing every problem."""
    plugins = PluginSet.collect(load_plugins())
    return load_config(path, plugin_models=plugins.section_models(), adapter_models=AdapterModels())


def freeze_startup_heap() -> None:
    """Move what start-up made (modules, SQLAlchemy's and pydantic's structures: most of the
    heap) out of the garbage collector's sight (``gc.freeze``), so that a full collection, which
    otherwise walks all of it and paused a running bot ~60 ms, stays short. For a process that
    starts one bot and runs it; tests, which start many, do not call it."""
    gc.collect()
    gc.freeze()


class App:
    """One running bot. Build it with `App.build`, then `await app.start()` / `app.stop()`."""

    def __init__(
        self,
        settings: Settings,
        plugins: PluginSet,
        db: Database,
        clock: Clock,
        adapters: Mapping[str, Adapter],
    ) -> None:
        self.settings = settings
        self.plugins = plugins
        self.db = db
        self.clock = clock
        self.adapters: dict[str, Adapter] = {a.platform: a for a in adapters.values()}
        self.catalogs = Catalogs(settings.bot.language)
        for domain, path in plugins.catalogs.items():
            self.catalogs.add_domain(domain, path)
        self.people = People(
            db,
            clock,
            cache_seconds=60.0 if settings.dispatcher.shared else None,
            cache_size=settings.dispatcher.people_cache,
        )
        #: Working days and hours (``calendar:``), for deadlines in working time.
        self.calendar = WorkCalendar.from_settings(settings.calendar, settings.bot.tz)
        #: The organisation (``org:``): units, their chats, heads and members; at start and
        #: after an edit on the console, with the units edited there laid over (`reload_org`).
        self.org = Org.from_settings(settings)
        #: The edits that `org` was built from, and what did not fit the YAML.
        self.org_state = OrgState(self.org)
        #: With several workers: rebuilds `org` when another worker's console saved a unit.
        self.org_watch = OrgWatch(self)
        self.dialogs = DialogService(
            self, settings.dialogs.timeout, cache_size=settings.dialogs.cache_size
        )
        #: What happened since start (``GET /metrics``).
        self.tally = Tally()
        self.dispatcher = Dispatcher(self)
        self.inbox = Inbox(db, clock, self.dispatcher.push, tally=self.tally)
        self.scheduler = Scheduler(self)
        out = self.settings.outbox
        self.senders = {
            a.platform: Sender(
                self,
                a,
                max_in_flight=out.max_in_flight,
                max_attempts=out.max_attempts,
                backoff=out.backoff,
                backoff_max=out.backoff_max,
                chat_cache=out.chat_cache,
            )
            for a in self.adapters.values()
        }
        self.web: Any = None
        #: Seconds each adapter took to import, build and start (for the ``ready`` line).
        self.adapter_seconds: dict[str, float] = {}
        self._stopped = asyncio.Event()
        #: With several workers: who receives for which platform account (`receiver_key`).
        self.elections: list[Election] = []

    @classmethod
    def build(
        cls,
        settings: Settings,
        plugins: PluginSet,
        *,
        clock: Clock | None = None,
        adapters: Mapping[str, Adapter] | None = None,
    ) -> App:
        """Build from settings: the database from ``database.url``, the adapters from
        ``adapters:`` (unless given)."""
        clock = clock or SystemClock()
        db = Database(settings.database.url, echo=settings.database.echo)
        built: dict[str, float] = {}
        if adapters is None:
            adapters = _make_adapters(settings, clock, built)
        app = cls(settings, plugins, db, clock, adapters)
        app.adapter_seconds.update(built)
        return app

    # -- life cycle ----------------------------------------------------------------------------
    async def prepare_database(self, *, create: bool = False) -> None:
        """Bring the schema up to date: create tables directly (`create`, for tests), upgrade
        automatically (SQLite by default; skipped, Alembic not even imported, when the database
        is stamped as matching this code: `qunzhu.core.storage._stamp`), or check that
        ``qunzhu db upgrade`` was run."""
        from qunzhu.core.storage import _stamp
        from qunzhu.core.storage._reach import wait_until_reachable

        await wait_until_reachable(self.db, self.clock)
        if create:
            await self.db.create_all()
            return
        auto = self.settings.database.auto_upgrade
        if auto if auto is not None else self.db.is_sqlite:
            if await _stamp.is_current(self.db, self.plugins):
                return
            from qunzhu.core.storage import _migrate as migrate

            await migrate.upgrade(self.db, self.plugins)
            await _stamp.stamp(self.db, self.plugins)
        else:
            from qunzhu.core.storage import _migrate as migrate

            await migrate.check_current(self.db, self.plugins)

    async def start(self, *, create_tables: bool = False) -> None:
        for warning in self.settings.warnings:  # old keys that still work (config check lists them)
            log.warning("event=config_warning %s", warning)
        began = time.perf_counter()
        self._check_one_process()
        await self.prepare_database(create=create_tables)
        await self.db.statistics.load(ANALYZED_TABLES)
        await self.reload_org()
        await self.people.apply_config(_person_specs(self.settings))
        await self.dialogs.load_index()
        self.dispatcher.start()
        if not self.dispatcher.shared:  # recorded before a crash, not handled yet
            self.dispatcher.push(await self.inbox.pending())
        for sender in self.senders.values():
            await sender.start()
        await self.scheduler.start()
        if self.dispatcher.shared:  # other workers' console edits of the organisation
            await self.org_watch.start()
        if self.settings.web.enabled:
            from qunzhu.core.web import WebServer

            self.web = WebServer(self, self.settings.web.host, self.settings.web.port)
            await self.web.start()
        declared = self._declared()
        for name, adapter in self.adapters.items():
            adapter.settle = self.settle
            adapter.declared = declared
            adapter.people_names = self.people_names
            adapter.named_in_config = self.settings.where_named
            started = time.perf_counter()
            await start_when_reachable(name, adapter, self.inbox.intake(name), self.clock)
            self.adapter_seconds[name] = (
                self.adapter_seconds.get(name, 0.0) + time.perf_counter() - started
            )
            await self._receive(adapter)
        self._name_limited_features()
        await self._call_lifecycle("on_startup")
        # seconds: from the process's start (what a person waits for); start_seconds: this
        # method; adapter_seconds: each adapter's import, construction and start
        log.info(
            "event=ready adapters=%s plugins=%s db=%s seconds=%.2f start_seconds=%.2f "
            "adapter_seconds=%s",
            ",".join(self.adapters),
            len(self.plugins.names),
            self.db.display_url,
            seconds_since_process_start(),
            time.perf_counter() - began,
            ",".join(f"{n}:{self.adapter_seconds.get(n, 0.0):.2f}" for n in self.adapters),
        )

    def _check_one_process(self) -> None:
        """Refuse, in one line, a shared start (``dispatcher.shared``: other workers send) with
        an adapter whose account one process alone can use (`Adapter.one_process`)."""
        if not self.dispatcher.shared:
            return
        for name, adapter in self.adapters.items():
            if adapter.one_process:
                msg = (
                    f"adapters.{name} runs in one process only: {adapter.one_process}; "
                    "dispatcher.shared: true lets other workers send for it (set it to false and "
                    "run one process)"
                )
                raise ConfigError(msg)

    async def reload_org(self) -> OrgState:
        """Lay the units edited on the console over the YAML's and hand the result to the
        plugins (``ctx.org`` reads ``app.org`` at each call): at start and after each edit."""
        self.org_state = build_org(self.settings.org, await load_edits(self.db))
        self.org = self.org_state.org
        return self.org_state

    def limited_features(self) -> list[tuple[str, str, Feature]]:
        """(adapter, plugin, feature) for each plugin feature that cannot run as such on a
        configured adapter (a feature that needs every group message, on WeCom)."""
        return [
            (name, plugin, feature)
            for name, adapter in self.adapters.items()
            for plugin, features in self.plugins.features.items()
            for feature in features
            if not adapter.capabilities.has(feature.needs)
        ]

    def _name_limited_features(self) -> None:
        """Name in the log, at start-up, each feature that a configured adapter cannot run as
        such, with what the plugin does there instead: never silently off."""
        for name, plugin, feature in self.limited_features():
            log.warning(
                "event=feature_limited adapter=%s plugin=%s feature=%s needs=%s what=%r instead=%r",
                name,
                plugin,
                feature.name,
                feature.needs.value,
                feature.what,
                feature.instead,
            )

    async def _receive(self, adapter: Adapter) -> None:
        """Start the adapter's receiving: at once, or, with several workers, once this worker is
        elected to receive for the account (`qunzhu.core._election`)."""
        key = adapter.receiver_key()
        if key is None:
            return
        if not self.dispatcher.shared or self.db.is_sqlite:
            await adapter.start_receiving()
            return
        election = Election(
            self.db, self.clock, key, won=adapter.start_receiving, lost=adapter.stop_receiving
        )
        self.elections.append(election)
        election.start()

    async def _abandon(self) -> None:
        """After a start that failed part way (a refused token): stop and close what had
        started, each step on its own, so that the process ends with its one line and not with
        a database connection torn down under the pool's feet ("Exception during reset")."""
        steps = [election.stop for election in self.elections]
        steps += [self.dispatcher.stop, self.scheduler.stop, self.org_watch.stop]
        steps += [sender.stop for sender in self.senders.values()]
        steps += [adapter.close for adapter in self.adapters.values()]
        if self.web is not None:
            steps.append(self.web.stop)
        steps.append(self.db.dispose)
        # a loop stopped in the middle of a query has its connection reset by the pool, which
        # logs that at ERROR ("Exception during reset or similar"): here it is the consequence
        # of the failed start, whose own one-line error is the one to tell
        pool_log = logging.getLogger("sqlalchemy.pool")
        level = pool_log.level
        pool_log.setLevel(logging.CRITICAL)
        try:
            for step in steps:
                try:
                    await step()
                except Exception as exc:  # noqa: BLE001 - the start's own error is the one to tell
                    log.debug("event=abandon_step_failed step=%s error=%r", step, exc)
        finally:
            pool_log.setLevel(level)

    async def stop(self) -> None:
        await self._call_lifecycle("on_shutdown")
        for election in self.elections:
            await election.stop()
        for adapter in self.adapters.values():
            await adapter.stop()
        await self.inbox.flush()
        await self.dispatcher.join()
        await self.dispatcher.stop()
        await self.scheduler.stop()
        await self.org_watch.stop()
        for sender in self.senders.values():
            await sender.stop()
        for adapter in self.adapters.values():
            await adapter.close()
        if self.web is not None:
            await self.web.stop()
        await self.db.dispose()
        self._stopped.set()

    async def run(self) -> None:
        """Start, wait until an adapter finishes (the console's input ended) or the task is
        cancelled (Ctrl-C, SIGTERM), then stop cleanly."""
        try:
            await self.start()
        except BaseException:
            await self._abandon()
            raise
        freeze_startup_heap()
        waits = [asyncio.ensure_future(a.finished.wait()) for a in self.adapters.values()]
        try:
            if waits:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            else:
                await self._stopped.wait()
            await self.settle()
        finally:
            for w in waits:
                w.cancel()
            await self.stop()

    # -- traffic -------------------------------------------------------------------------------
    async def receive(self, event: Event) -> None:
        """Record one event in the inbox (it is then dispatched)."""
        await self.inbox.submit([event])

    async def settle(self) -> None:
        """Wait until everything received so far is recorded, handled and sent (what is not due
        yet, such as a retry in a minute, is not waited for)."""
        while True:
            await self.inbox.flush()
            await self.dispatcher.join()
            for sender in self.senders.values():
                await sender.join()
            await asyncio.sleep(0)
            if (
                self.dispatcher.idle
                and self.scheduler.idle
                and all(s.idle for s in self.senders.values())
            ):
                return

    async def people_names(self, keys: Sequence[str]) -> dict[str, str]:
        """The names the people behind these identities go by (those the bot knows)."""
        found = {}
        for key in dict.fromkeys(keys):
            person = await self.people.find(key)
            if person is not None and person.name and person.name != key:
                found[key] = person.name
        return found

    def notify_sender(self, platform: str) -> None:
        sender = self.senders.get(platform)
        if sender is not None:
            sender.notify()

    def outbox_committed(self, messages: list[Outgoing]) -> None:
        """Hand messages whose transaction has committed to their platforms' senders."""
        for out in messages:
            sender = self.senders.get(out.chat.platform)
            if sender is not None:
                sender.offer([out])

    async def as_plugin(
        self, plugin: str, work: Callable[[Context], Awaitable[T]], *, what: str = "system"
    ) -> T:
        """Run `work` as `plugin` outside any event (start-up, a web request), with a system
        `Context` in a transaction of its own (`qunzhu.core._system_work`)."""
        return await as_plugin(self, plugin, work, what=what)

    def adapter_for(self, platform: str) -> Adapter:
        try:
            return self.adapters[platform]
        except KeyError:
            msg = f"no adapter for platform {platform!r}"
            raise AdapterError(msg) from None

    async def direct_chat(self, user: UserRef) -> ChatRef:
        return await self.adapter_for(user.platform).direct_chat(user)

    def _declared(self) -> Declared:
        """What the plugins declared, for the adapters (subscriptions, command menus)."""
        catalogs = self.catalogs

        def describe(command: Command, lang: str) -> str:
            if not command.help:
                return ""
            return catalogs.translator(lang, domain_of(command.plugin))(command.help)

        return Declared(
            hooks=frozenset(h for h in EVENT_HOOKS if self.plugins.impls(h)),
            commands=tuple(self.plugins.unique_commands()),
            language=self.settings.bot.language,
            describe=describe,
        )

    async def _call_lifecycle(self, hook: str) -> None:
        for plugin, fn, argnames in self.plugins.impls(hook):
            try:
                result = fn(**{name: self for name in argnames})
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("event=%s_failed plugin=%s", hook, plugin)


def seconds_since_process_start() -> float:
    """Seconds since this process started (Linux: its start time in ``/proc``, to the clock
    tick, against the boot-time clock; elsewhere since `qunzhu.core.app` was imported)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:  # noqa: PTH123 - one tiny read
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])  # field 22: starttime
        up = time.clock_gettime(time.CLOCK_BOOTTIME)
        return max(0.0, up - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def _make_adapters(
    settings: Settings, clock: Clock, seconds: dict[str, float]
) -> dict[str, Adapter]:
    """The configured adapters, each class imported only now; `seconds` gets the time each
    took to import and build."""
    classes = AdapterModels()
    made: dict[str, Adapter] = {}
    for name, config in settings.adapters.items():
        if name not in classes:
            msg = f"adapters.{name}: no such adapter is installed (installed: {', '.join(classes)})"
            raise ConfigError(msg)
        if getattr(config, "enabled", True) and isinstance(config, AdapterConfig):
            started = time.perf_counter()
            made[name] = classes.adapter(name)(config, clock=clock)
            seconds[name] = time.perf_counter() - started
    return made


def _person_specs(settings: Settings) -> Sequence[PersonSpec]:
    """The YAML's people, with ``bot.admins`` merged in as the admin role."""
    admins = set(settings.bot.admins)
    specs = []
    for p in settings.people:
        roles = tuple(p.roles)
        if admins & set(p.identities):
            admins -= set(p.identities)
            roles = (*roles, "admin") if "admin" not in roles else roles
        specs.append(PersonSpec(tuple(p.identities), p.name, roles, p.lang))
    specs += [PersonSpec((identity,), roles=("admin",)) for identity in sorted(admins)]
    return specs
