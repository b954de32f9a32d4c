"""`PlatformApp`: the part the Telegram and Matrix test apps share: a qunzhu App that a test
starts, stops and restarts on the same SQLite file, and reads the inbox and outbox of."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Self

from sqlalchemy import select

from qunzhu.core.app import App
from qunzhu.core.storage._tables import ChatRow, InboxRow, OutboxRow


class PlatformApp(ABC):
    """Subclasses set `platform` and write `start` (which sets `app` and returns self)."""

    platform: ClassVar[str]
    app: App | None = None

    @property
    def running(self) -> App:
        assert self.app is not None
        return self.app

    @abstractmethod
    async def start(self) -> Self:
        """Build the platform's config, start the App (set `app`), return self."""

    async def stop(self) -> None:
        if self.app is not None:
            app, self.app = self.app, None
            await app.stop()

    async def restart(self) -> Self:
        await self.stop()
        return await self.start()

    async def settle(self) -> None:
        await self.running.settle()

    async def inbox(self) -> list[tuple[str, str, str]]:
        """(chat_id, event_id, kind) of every recorded event, in order."""
        async with self.running.db.session() as s:
            rows = await s.execute(
                select(InboxRow.chat_id, InboxRow.event_id, InboxRow.kind).order_by(InboxRow.id)
            )
            return [(r[0], r[1], r[2]) for r in rows]

    async def outbox(self) -> list[tuple[str, str, int, str | None]]:
        """(chat_id, status, attempts, error) of every outgoing message, in order."""
        async with self.running.db.session() as s:
            rows = await s.execute(
                select(
                    OutboxRow.chat_id, OutboxRow.status, OutboxRow.attempts, OutboxRow.error
                ).order_by(OutboxRow.id)
            )
            return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def chat_active(self, chat_id: Any) -> bool:
        async with self.running.db.session() as s:
            row = await s.get(ChatRow, (self.platform, str(chat_id)))
            return row is None or row.active
