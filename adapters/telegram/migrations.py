"""Basic groups that became supergroups.

Telegram gives the supergroup a new chat id. The core keeps the old one, so that the chat keeps
its history, its settings under ``chats:`` and its people's roles: updates from the new id are
handed to the core under the old id, and messages for the old id are sent to the new one. The
adapter learns of a migration from either service message (``migrate_to_chat_id`` in the old
group, ``migrate_from_chat_id`` in the new one, whichever arrives first) or from the 400
"group chat was upgraded" a send to the old id gets; it is stored in the adapter's state before
any event that depends on it is recorded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence

from qunzhu.core.adapter import EventSink

from .mapping import PLATFORM

__all__ = ["Migrations"]

log = logging.getLogger("qunzhu.adapters.telegram")
_KEY = "migrations"
#: Supergroups' ids are -100 followed by the channel id; basic groups' are small negatives.
_SUPERGROUP = -1_000_000_000_000


class Migrations:
    def __init__(self, named_in_config: Callable[[str], Sequence[str]] | None = None) -> None:
        self._new_of: dict[int, int] = {}
        self._old_of: dict[int, int] = {}
        self._sink: EventSink | None = None
        #: Supergroups this process has looked up in the stored migrations.
        self._checked: set[int] = set()
        #: The config entries that name a chat key (`Adapter.named_in_config`).
        self.named_in_config = named_in_config or (lambda key: ())

    async def load(self, sink: EventSink) -> None:
        """Read the stored migrations (at start, and again when this worker becomes the
        receiver: another worker may have learnt one meanwhile)."""
        self._sink = sink
        await self._read()

    async def _read(self) -> None:
        assert self._sink is not None
        stored = await self._sink.state(_KEY)
        for old, new in json.loads(stored or "{}").items():
            self._remember(int(old), int(new))

    async def check(self, telegram_ids: Iterable[int]) -> None:
        """Read the stored migrations again if a supergroup among `telegram_ids` is new to this
        process: another worker (its sender, told by a 400; or a webhook worker that got the
        service message) may have learnt that it replaced a group. Once per supergroup."""
        fresh = [i for i in telegram_ids if i < _SUPERGROUP and i not in self._checked]
        if not fresh:
            return
        self._checked.update(fresh)
        if self._sink is not None and any(i not in self._old_of for i in fresh):
            await self._read()

    def core_id(self, telegram_id: int) -> tuple[int, bool]:
        """The chat id the core knows `telegram_id` by, and whether it is a supergroup that
        replaced a basic group."""
        old = self._old_of.get(telegram_id)
        return (telegram_id, False) if old is None else (old, True)

    def telegram_id(self, core_id: int) -> int:
        """Where messages for the core's chat `core_id` go now."""
        return self._new_of.get(core_id, core_id)

    def moved(self, core_id: int) -> bool:
        return core_id in self._new_of

    async def learn(self, old: int, new: int) -> None:
        """Group `old` is now supergroup `new`: stored durably before returning."""
        if self._new_of.get(old) == new:
            return
        self._remember(old, new)
        if self._sink is not None:
            await self._read()  # what other workers stored is kept, not written over
            value = json.dumps({str(k): v for k, v in self._new_of.items()})
            await self._sink.set_state(_KEY, value)
        named = list(self.named_in_config(f"{PLATFORM}:{old}"))
        log.warning(
            "event=chat_migrated old=%s new=%s config=%s hint=%s",
            old,
            new,
            ",".join(named) or "-",
            f"the group became a supergroup: the bot goes on knowing it as {PLATFORM}:{old} and "
            f"sends to {PLATFORM}:{new}; "
            + (
                f"the config entries named keep working, write {PLATFORM}:{new} there when "
                "convenient"
                if named
                else "no config entry names it"
            ),
        )

    def _remember(self, old: int, new: int) -> None:
        self._new_of[old] = new
        self._old_of[new] = old
