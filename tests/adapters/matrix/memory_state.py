"""`MemoryState`: the state part of an `EventSink` (`state`, `set_state`, `claim_state`) in a
dict, one for several `Rooms` or `Choices` to stand for workers sharing one database."""

from __future__ import annotations


class MemoryState:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def state(self, key: str) -> str | None:
        return self.values.get(key)

    async def set_state(self, key: str, value: str) -> None:
        self.values[key] = value

    async def claim_state(self, key: str, value: str, *, replacing: str | None = None) -> str:
        stored = self.values.get(key)
        if stored is None or stored == replacing:
            self.values[key] = value
        return self.values[key]
