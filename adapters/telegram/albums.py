"""Albums: photos sent together arrive as one message (and one update) each, sharing a
``media_group_id``, and Telegram does not say how many there are. The parts wait here until none
has come for `wait` seconds, then go to the core as ONE `Message` with every attachment and the
caption (`mapping.merge_album`).

Nothing waiting here may be lost at a crash. With long polling, the update offset is held back
at the first waiting part (`Albums.hold`), so a restart fetches the parts again; the updates
after it that were already recorded are fetched again too, and the inbox drops them. In webhook
mode Telegram hands a chat's updates over one at a time and waits for each answer, so a part's
request cannot wait for the next part: the waiting parts are stored in the adapter's state
(`dump`/`load`) before the part is acknowledged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from qunzhu.core.events import Message
from qunzhu.core.serialize import event_from_json, event_to_json

from .mapping import merge_album

__all__ = ["Albums"]


@dataclass
class _Album:
    first_update: int
    deadline: float
    parts: dict[str, Message] = field(default_factory=dict)


class Albums:
    def __init__(self, wait: float) -> None:
        self.wait = wait
        self._open: dict[str, _Album] = {}

    def __bool__(self) -> bool:
        return bool(self._open)

    def add(self, group: str, part: Message, update_id: int, now: float) -> None:
        """Part `part` of album `group` (``chat:media_group_id``) came with update `update_id`."""
        album = self._open.get(group)
        if album is None:
            album = self._open[group] = _Album(update_id, now + self.wait)
        album.first_update = min(album.first_update, update_id)
        album.deadline = now + self.wait
        album.parts[part.event_id] = part

    def hold(self) -> int | None:
        """The lowest update id of a waiting part: the polling offset may not pass it."""
        return min((a.first_update for a in self._open.values()), default=None)

    def next_deadline(self) -> float | None:
        return min((a.deadline for a in self._open.values()), default=None)

    def due(self, now: float) -> list[Message]:
        """The albums nobody added to for `wait` seconds, each merged into one message."""
        ready = [g for g, a in self._open.items() if a.deadline <= now]
        return [merge_album(list(self._open.pop(g).parts.values())) for g in ready]

    def dump(self) -> str:
        """The waiting parts as JSON (webhook mode keeps them in the adapter's state)."""
        return json.dumps(
            {
                group: [
                    [p.chat.platform, p.chat.chat_id, p.event_id, event_to_json(p)]
                    for p in album.parts.values()
                ]
                for group, album in self._open.items()
            },
            ensure_ascii=False,
        )

    def load(self, raw: str | None, now: float) -> None:
        """Take back the parts `dump` stored (after a restart); they wait `wait` seconds more."""
        for group, parts in json.loads(raw or "{}").items():
            for platform, chat_id, event_id, payload in parts:
                part = event_from_json("message", platform, chat_id, event_id, payload)
                assert isinstance(part, Message)
                self.add(group, part, 0, now)
