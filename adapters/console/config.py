"""The console adapter's section of the config file (``adapters.console``)."""

from __future__ import annotations

from pydantic import Field, field_validator

from qunzhu.core.adapter import AdapterConfig

__all__ = ["ConsoleConfig"]


class ConsoleConfig(AdapterConfig):
    """Who speaks where when the console starts, and how it prints."""

    #: The person you play at first (switch with ``/as NAME``).
    user: str = Field(default="me", pattern=r"^\S+$")
    #: The group chat you are in at first (switch with ``/in CHAT``).
    chat: str = Field(default="lobby", pattern=r"^\S+$")
    #: The language the platform reports for every person (e.g. ``zh-Hans``); None = unknown.
    lang: str | None = None
    #: ANSI colors; None = only when stdout is a terminal (and ``NO_COLOR`` is not set).
    color: bool | None = None
    #: Repeat each input line in the output; None = only when stdin is not a terminal, so that a
    #: piped script's transcript shows what was said.
    echo: bool | None = None
    enabled: bool = True

    @field_validator("chat")
    @classmethod
    def _not_direct(cls, value: str) -> str:
        if value.startswith("dm:"):
            msg = (
                "a group chat's name cannot start with 'dm:' (that is how private chats are named)"
            )
            raise ValueError(msg)
        return value
