"""Which groups receive promotions: those opted in (by their own admins, with /promotions on,
or under ``chats:``) whose tags match the post's, or that are group chats of a unit of ``org:``
the post names (by key, name or alias: the unit's groups and those of every unit below it); at
most ``daily_cap`` a day, never in their ``quiet_hours``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import App, ChatRef, inactive_chats

from .config import PromotionsConfig, quiet_periods
from .models import Group

__all__ = [
    "ALL_TAGS",
    "Target",
    "config_for",
    "ensure_group",
    "next_day",
    "next_open",
    "take_slots",
    "ensure_groups",
    "targets",
    "unit_chats",
]

ALL_TAGS = {"all", "全部", "所有"}


@dataclass(frozen=True, slots=True)
class Target:
    chat: ChatRef
    lang: str
    #: "" when the post goes there; else why not: opted_out, removed.
    skip: str = ""


def config_for(app: App, chat_key: str) -> PromotionsConfig:
    config = app.settings.plugin_config("promotions", chat_key)
    assert isinstance(config, PromotionsConfig)
    return config


def unit_chats(app: App, tags: list[str]) -> set[str]:
    """The group chats of the org units that `tags` name, and of every unit below them."""
    units = [unit for unit in map(app.org.unit, tags) if unit is not None]
    return {chat for unit in units for below in app.org.subtree(unit) for chat in below.chats}


async def targets(app: App, db: AsyncSession, tags: list[str]) -> list[Target]:
    """Every group whose tags match `tags` ("all" matches every group), or that belongs to an
    org unit `tags` names (or to a unit below it): those to post to, and those skipped (opted
    out, or the bot was removed), sorted by chat key."""
    rows = {f"{g.platform}:{g.chat_id}": g for g in (await db.scalars(select(Group))).all()}
    in_units = unit_chats(app, tags)
    keys = (
        set(rows)
        | {key for key, chat in app.settings.chats.items() if "promotions" in chat.plugins}
        | in_units
    )
    inactive = await inactive_chats(db)
    wanted = {t.lower() for t in tags}
    found = []
    for key in sorted(keys):
        if key.partition(":")[0] not in app.adapters:
            continue
        config = config_for(app, key)
        row = rows.get(key)
        group_tags = {t.lower() for t in (*config.tags, *(row.tags if row else ()))}
        if not (wanted & ALL_TAGS or wanted & group_tags or key in in_units):
            continue
        opted = row.opted_in if row is not None and row.opted_in is not None else config.opt_in
        lang = app.settings.chat_language(key) or app.settings.bot.language
        skip = "opted_out" if not opted else "removed" if key in inactive else ""
        title = config.name or (row.title if row else "")
        found.append(Target(ChatRef.parse(key, title=title), lang, skip))
    return found


async def ensure_group(db: AsyncSession, chat: ChatRef) -> None:
    """Make sure the group has its row (for its daily count), without racing another writer."""
    await ensure_groups(db, [(chat.platform, chat.chat_id)], {chat.chat_id: chat.title})


async def ensure_groups(
    db: AsyncSession, keys: list[tuple[str, str]], titles: dict[str, str] | None = None
) -> None:
    """Make sure these groups have their rows: one INSERT ... ON CONFLICT DO NOTHING."""
    dialect = db.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [{"platform": p, "chat_id": c, "title": (titles or {}).get(c, ""), "tags": [],
             "day": "", "today": 0, "changed_by": ""} for p, c in keys]  # fmt: skip
    await db.execute(insert(Group).values(rows).on_conflict_do_nothing())


async def take_slots(
    db: AsyncSession, keys: list[tuple[str, str]], day: str, cap: int
) -> list[tuple[str, str]]:
    """Count one promotion today in each of these groups that has room under `cap`; returns
    those. One conditional UPDATE: two broadcasts at the same moment (several workers) cannot
    both take a group's last slot of the day."""
    if not keys:
        return []
    await ensure_groups(db, keys)
    result = await db.execute(
        update(Group)
        .where(
            tuple_(Group.platform, Group.chat_id).in_(keys),
            (Group.day != day) | (Group.today < cap),
        )
        .values(today=case((Group.day == day, Group.today + 1), else_=1), day=day)
        .returning(Group.platform, Group.chat_id)
        .execution_options(synchronize_session=False)
    )
    return [(p, c) for p, c in result.all()]


def next_open(moment: datetime, config: PromotionsConfig, tz: ZoneInfo) -> datetime:
    """`moment`, or the end of the quiet period it falls in (periods may span midnight)."""
    local = moment.astimezone(tz)
    for _ in range(4):  # back-to-back periods: move past each
        moved = False
        for start, end in quiet_periods(config):
            until = _quiet_until(local, start, end, tz)
            if until is not None:
                local, moved = until, True
        if not moved:
            break
    return local


def _quiet_until(local: datetime, start: time, end: time, tz: ZoneInfo) -> datetime | None:
    now = local.time()
    day = local.date()
    if start <= end:
        inside = start <= now < end
        return datetime.combine(day, end, tz) if inside else None
    if now >= start:  # 22:00-08:00 at 23:00: until 08:00 tomorrow
        return datetime.combine(day + timedelta(days=1), end, tz)
    if now < end:  # ... at 06:00: until 08:00 today
        return datetime.combine(day, end, tz)
    return None


def next_day(moment: datetime, tz: ZoneInfo) -> datetime:
    local = moment.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0, 0), tz)
