"""Digest sections: what other plugins add to a person's periodic digest.

One plugin owns a digest (the complaints plugin's morning digest: its time, its recipients, its
own figures); every other plugin may add a section per person through the ``digest_sections``
hook (the check-ins plugin: that person's overdue tasks). The owner asks with
``await ctx.digest_sections(people, since)``: each plugin is called once for all the people
(one grouped query, not one per person) with a `Context` bound to that plugin (its config, its
translator, the owner's database session), each in a savepoint, so that a plugin failing costs
only its own section, logged with its name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qunzhu.core.plugins import domain_of

if TYPE_CHECKING:
    from qunzhu.core.context import Context
    from qunzhu.core.people import Person

__all__ = ["DigestSection", "gather_sections"]

log = logging.getLogger("qunzhu.digest")


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
    from qunzhu.core.context import Context

    app = ctx.app
    found: dict[int, list[DigestSection]] = {}
    if not people:
        return found
    for plugin, fn, argnames in app.plugins.impls("digest_sections"):
        if plugin == ctx.plugin:
            continue
        t = app.catalogs.translator(ctx.lang, domain_of(plugin))
        theirs = Context(app, ctx.event, plugin, ctx.person, t=t, db=ctx.db)
        given: dict[str, Any] = {"ctx": theirs, "people": people, "since": since}
        nested = await ctx.db.begin_nested()
        try:
            result = fn(**{name: given[name] for name in argnames})
            if asyncio.iscoroutine(result):
                result = await result
            await nested.commit()
        except Exception:
            await nested.rollback()
            log.exception("event=digest_section_failed plugin=%s", plugin)
            continue
        sections: Mapping[int, DigestSection] = result or {}
        for person in people:
            section = sections.get(person.id)
            if section:
                found.setdefault(person.id, []).append(section)
    return found
