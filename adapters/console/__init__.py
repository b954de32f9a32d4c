"""The console adapter: chat with the bot from a terminal, playing several people in several
chats, or pipe a script through it for demos and tests (``docs/console.md``)."""

from __future__ import annotations

from .adapter import ConsoleAdapter
from .config import ConsoleConfig

__all__ = ["ConsoleAdapter", "ConsoleConfig"]
