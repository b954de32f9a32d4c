"""Digest sections: what other plugins add to a person's, or a group's, periodic digest.

One plugin owns a digest (the complaints plugin's morning digest: its time, its recipients, its
own figures); every other plugin may add a section per person through the ``digest_sections``
hook (the check-ins plugin: that person's overdue tasks), and per group chat through
``digest_chat_sections`` (only what the whole group may read). The owner asks with
``await ctx.digest_sections(people, since)`` or ``await ctx.digest_chat_sections(chats,
since)``: each plugin is called once for all the people or chats (one grouped query, not one
per recipient) with a `Context` bound to that plugin (its config, its translator, the owner's
database session), each in a savepoint, so that a plugin failing costs only its own section,
logged with its name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from qunzhu.core.plugins import domain_of

if TYPE_CHECKING:
    from qunzhu.core.context import Context
    from qunzhu.core.people import Person

__all__ = ["DigestSection", "gather_chat_sections", "gather_sections"]

log = logging.getLogger("qunzhu.digest")
_K = TypeVar("_K", int, str)


@dataclass(frozen=True, slots=True)
class DigestSection:
    """A plugin's part of one person's digest: a title and its lines, already in that person's
    language. A section without lines is not shown."""

    title: str
    lines: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lines)

    def text(self) -> str:
        return "\n".join((self.title, *self.lines))


async def gather_sections(
    ctx: Context, people: Sequence[Person], since: datetime
) -> dict[int, list[DigestSection]]:
    """Every other plugin's non-empty sections for each of `people` (by person id), in plugin
    order; people with none are left out."""
    if not people:
        return {}
    given = {"people": people, "since": since}
    return await _gather(ctx, "digest_sections", given, [person.id for person in people])


async def gather_chat_sections(
    ctx: Context, chats: Sequence[str], since: datetime
) -> dict[str, list[DigestSection]]:
    """Every other plugin's non-empty sections for each of the group `chats` (by chat key), in
    plugin order; chats with none are left out."""
    if not chats:
        return {}
    given = {"chats": chats, "since": since}
    return await _gather(ctx, "digest_chat_sections", given, list(chats))


async def _gather(
    ctx: Context, hook: str, arguments: dict[str, Any], keys: list[_K]
) -> dict[_K, list[DigestSection]]:
    """Call `hook` of every plugin but the asking one, each in a savepoint; its non-empty
    sections by key, in plugin order."""
    from qunzhu.core.context import Context

    app = ctx.app
    found: dict[_K, list[DigestSection]] = {}
    for plugin, fn, argnames in app.plugins.impls(hook):
        if plugin == ctx.plugin:
            continue
        t = app.catalogs.translator(ctx.lang, domain_of(plugin))
        theirs = Context(app, ctx.event, plugin, ctx.person, t=t, db=ctx.db)
        given: dict[str, Any] = {"ctx": theirs, **arguments}
        nested = await ctx.db.begin_nested()
        try:
            result = fn(**{name: given[name] for name in argnames})
            if asyncio.iscoroutine(result):
                result = await result
            await nested.commit()
        except Exception:
            await nested.rollback()
            log.exception("event=digest_section_failed plugin=%s hook=%s", plugin, hook)
            continue
        sections: Mapping[_K, DigestSection] = result or {}
        for key in keys:
            section = sections.get(key)
            if section:
                found.setdefault(key, []).append(section)
    return found
