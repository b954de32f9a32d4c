"""Every campaign the plugin runs: those of the YAML (``plugins.checkins.campaigns``) and those an
admin created in chat (``checkins_campaign`` rows), merged.

The YAML wins on a name clash: a chat-created campaign whose name the YAML also uses is left out
(start-up logs it, ``/checkins 列表`` says so). A paused campaign opens no new check-in and sends
no reminder, but its past check-ins, its history and a check-in still open keep working.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import App, aware

from .config import Campaign
from .models import CampaignRow
from .settings import NAME, settings

__all__ = [
    "Entry",
    "entries",
    "every",
    "find",
    "from_row",
    "is_paused",
    "named",
    "running",
    "shadowed",
    "to_spec",
]

log = logging.getLogger(NAME)


@dataclass(frozen=True, slots=True)
class Entry:
    """A campaign and where it comes from: ``config`` (the YAML) or ``chat``."""

    campaign: Campaign
    source: str = "config"
    paused: bool = False
    row_id: int | None = None
    created_by: str = ""
    #: When a chat-created campaign was last created, edited or resumed (its windows that
    #: opened before are not opened late).
    since: datetime | None = None

    @property
    def name(self) -> str:
        return self.campaign.name


def to_spec(campaign: Campaign) -> dict[str, Any]:
    """A campaign's settings as stored in ``checkins_campaign.spec`` (without name and group)."""
    return campaign.model_dump(mode="json", exclude={"name", "group"})


def from_row(row: CampaignRow) -> Campaign | None:
    """The campaign a row describes (None, logged, when it no longer validates)."""
    try:
        return Campaign.model_validate({**row.spec, "name": row.name, "group": row.chat})
    except ValidationError as exc:
        log.error("event=checkins_bad_campaign_row name=%s error=%s", row.name, exc)
        return None


async def _rows(db: AsyncSession, chat: str | None) -> list[CampaignRow]:
    query = select(CampaignRow).order_by(CampaignRow.id)
    if chat is not None:
        query = query.where(CampaignRow.chat == chat)
    return list(await db.scalars(query))


async def entries(app: App, db: AsyncSession, *, chat: str | None = None) -> list[Entry]:
    """The YAML's campaigns, then the chat-created ones (those of `chat` only, when given)."""
    config = settings(app)
    mine = config.campaigns if chat is None else config.campaigns_of(chat)
    found = [Entry(c) for c in mine]
    for row in await _rows(db, chat):
        campaign = from_row(row)
        if campaign is not None and config.campaign(row.name) is None:
            found.append(_entry(campaign, row))
    return found


async def shadowed(app: App, db: AsyncSession, *, chat: str | None = None) -> list[CampaignRow]:
    """Chat-created campaigns left out because the YAML has one of the same name."""
    config = settings(app)
    return [row for row in await _rows(db, chat) if config.campaign(row.name) is not None]


async def every(app: App, db: AsyncSession, *, chat: str | None = None) -> list[Campaign]:
    """Every campaign (paused ones too), of `chat` when given."""
    return [e.campaign for e in await entries(app, db, chat=chat)]


async def running(app: App, db: AsyncSession) -> list[Campaign]:
    """The campaigns that are not paused: those to plan and to remind."""
    return [e.campaign for e in await entries(app, db) if not e.paused]


async def find(app: App, db: AsyncSession, name: str) -> Entry | None:
    """The campaign called `name` (the YAML's if both have it)."""
    yaml = settings(app).campaign(name)
    if yaml is not None:
        return Entry(yaml)
    row = await db.scalar(select(CampaignRow).where(CampaignRow.name == name))
    campaign = from_row(row) if row is not None else None
    if row is None or campaign is None:
        return None
    return _entry(campaign, row)


def _entry(campaign: Campaign, row: CampaignRow) -> Entry:
    paused = row.state == "paused"
    return Entry(campaign, "chat", paused, row.id, row.created_by, aware(row.updated_at))


async def named(app: App, db: AsyncSession, name: str) -> Campaign | None:
    entry = await find(app, db, name)
    return entry.campaign if entry else None


async def is_paused(app: App, db: AsyncSession, name: str) -> bool:
    entry = await find(app, db, name)
    return entry is not None and entry.paused
