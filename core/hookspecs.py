"""Every hook a qunzhu plugin can implement.

Three families (see docs/plugins.md):

* ``register_*``: called once at start-up, synchronous, each returns declarations (a config model,
  commands, tables, dialogs, jobs, routes...). Results from all plugins are collected.
* ``on_*``: notifications about events, may be ``async def``. The dispatcher calls each plugin's
  implementation in turn with its own `Context`, under a timeout, isolated from the others: one
  plugin raising does not stop the rest.
* Arguments may be added in later versions, never renamed: an implementation receives only the
  arguments it names (pluggy's opt-in arguments).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy.orm import DeclarativeBase

    from qunzhu.core.app import App
    from qunzhu.core.commands import Command
    from qunzhu.core.context import Context
    from qunzhu.core.dialogs._spec import Dialog
    from qunzhu.core.dispatch._digest import DigestSection
    from qunzhu.core.model._capabilities import Feature
    from qunzhu.core.people import Person
    from qunzhu.core.scheduling._jobs import Job
    from qunzhu.core.web import Page, Panel, RouteDef

PROJECT = "qunzhu"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "hookimpl", "hookspec"]


@hookspec
def register_config() -> type[BaseModel] | None:
    """Return the pydantic model of this plugin's section under ``plugins.<name>`` in the YAML.

    Asked of each plugin on its own, once at start-up. The validated instance, with per-chat
    overrides from ``chats:`` applied, reaches every handler as ``ctx.config``."""


@hookspec
def register_commands() -> Sequence[Command]:  # type: ignore[empty-body]
    """Return the commands this plugin offers (made with `qunzhu.core.command`).

    Called once at start-up. Names and aliases must be unique across all plugins: a clash stops
    start-up with both plugins named."""


@hookspec
def register_models() -> Sequence[type[DeclarativeBase]]:  # type: ignore[empty-body]
    """Return the SQLAlchemy models this plugin stores, declared on `qunzhu.core.Base` with table
    names prefixed by the plugin name (``complaints_ticket``).

    Called once at start-up; the tables must be created by the plugin's Alembic migrations
    (`register_migrations`). The test harness creates them directly."""


@hookspec
def register_migrations() -> Path | None:
    """Return the folder holding this plugin's Alembic revision files (branch label: the plugin
    name), or None when the plugin stores nothing. Asked of each plugin on its own."""


@hookspec
def register_catalogs() -> Path | None:
    """Return the ``locale`` folder holding this plugin's gettext catalogs
    (``<folder>/<lang>/LC_MESSAGES/<plugin name>.po``). Asked of each plugin on its own."""


@hookspec
def register_dialogs() -> Sequence[Dialog]:  # type: ignore[empty-body]
    """Return the multi-step dialogs this plugin starts with ``ctx.start_dialog(name)``.

    Dialogs are registered by name so that one interrupted by a restart resumes where it was."""


@hookspec
def register_jobs() -> Sequence[Job]:  # type: ignore[empty-body]
    """Return the jobs this plugin runs, made with `qunzhu.core.jobs.job`: recurring (``cron=``
    in an IANA ``timezone``, or ``every=`` seconds) or run only when a handler schedules them
    with ``ctx.schedule(name, at=...)``.

    Called once at start-up. The rows of recurring jobs are kept in the database, so a job runs
    once per slot even across restarts and several workers; see docs/delivery.md."""


@hookspec
def register_features() -> Sequence[Feature]:  # type: ignore[empty-body]
    """Return this plugin's features that need something of the platform, each a `Feature`:
    the `Capability` it needs (hearing every group message, edits, reactions, writing first),
    what it does, and what the plugin does instead where an adapter lacks it (a platform that
    delivers only @-mentions: answer those).

    Called once at start-up. The application logs, for every configured adapter, each feature
    that cannot run as such there (``event=feature_limited``), so that nothing is silently off."""


@hookspec
def register_routes() -> Sequence[RouteDef]:  # type: ignore[empty-body]
    """Return aiohttp route definitions (``qunzhu.core.web.get("/path", handler)``...) to mount on
    the bot's web server. Called once at start-up; routes are served only when ``web.enabled``.
    A handler finds the running `App` as ``request.app[APP_KEY]``."""


@hookspec
def register_pages() -> Sequence[Page | Panel]:  # type: ignore[empty-body]
    """Return the web console's pages (`qunzhu.core.web.Page`: a path under ``/web``, a title
    for the navigation, the roles that may open it, a handler returning a `Template`) and the
    overview's panels (`qunzhu.core.web.Panel`) this plugin adds.

    Called once at start-up; served only when ``web.enabled``. The console checks the session
    and the roles (and a POST's CSRF token) before a handler runs; a handler still decides what
    of its data this person may see (a unit's member: their unit's). See docs/web.md."""


@hookspec
def on_startup(app: App) -> Awaitable[None] | None:
    """Called once when the bot has started (database ready, adapters connected)."""


@hookspec
def on_shutdown(app: App) -> Awaitable[None] | None:
    """Called once when the bot stops, before adapters disconnect."""


@hookspec
def on_message(ctx: Context) -> Awaitable[None] | None:
    """Called for every `Message` that is not a command and not an answer to an open dialog.

    ``ctx.message`` is the message; reply with ``await ctx.reply(...)``. A plugin that takes
    the message (records it, reads it as the answer to its question) says so with
    ``ctx.claim()``; one that acts on any message (detection, an offer) checks
    ``ctx.handled_by`` first and is declared ``@hookimpl(trylast=True)``, one that reads
    explicit answers ``@hookimpl(tryfirst=True)`` (pluggy's order: see docs/plugins.md)."""


@hookspec
def on_button(ctx: Context) -> Awaitable[None] | None:
    """Called for every `ButtonPress` that no dialog consumed. ``ctx.event.data`` is the button's
    data; check its prefix (by convention your plugin's name, ``"complaints:file:42"``) and
    ``ctx.claim()`` the presses of your own buttons."""


@hookspec
def on_reaction(ctx: Context) -> Awaitable[None] | None:
    """Called for every `Reaction` added or removed (``ctx.event.removed``)."""


@hookspec
def on_member_change(ctx: Context) -> Awaitable[None] | None:
    """Called when someone joins or leaves a chat (``ctx.event.change``)."""


@hookspec
def digest_sections(
    ctx: Context, people: Sequence[Person], since: datetime
) -> Awaitable[Mapping[int, DigestSection] | None] | Mapping[int, DigestSection] | None:
    """Return this plugin's part of the periodic digest of each of `people`: a `DigestSection`
    (title and lines, in that person's language: ``ctx.translator(person.lang or ctx.lang)``)
    by person id; leave out a person with nothing to report. May be ``async def``.

    Called by the plugin that sends a digest (``await ctx.digest_sections(people, since)``),
    once per digest for all its recipients, so read with a few grouped queries, not one per
    person; `since` is when the previous digest went out. ``ctx`` is bound to this plugin and
    shares the digest's database session: only read. A plugin that raises loses its section
    (logged), not the digest."""


@hookspec
def digest_chat_sections(
    ctx: Context, chats: Sequence[str], since: datetime
) -> Awaitable[Mapping[str, DigestSection] | None] | Mapping[str, DigestSection] | None:
    """Return this plugin's part of the periodic digest sent to each of the group `chats`
    (chat keys): a `DigestSection` in the group's language by chat key; leave out a chat with
    nothing to report. May be ``async def``.

    Everyone in the group reads it: write only what the whole group may read (a unit's overdue
    work, counts), never a person's own data (an anonymous reporter, a phone). Called as
    `digest_sections` is (``await ctx.digest_chat_sections(chats, since)``, once for all the
    chats, ``ctx`` bound to this plugin, only to read); a plugin that raises loses its section
    (logged), not the digest."""
