"""The small value types of the configuration: languages, identities, roles, chat keys.

They live apart from the section models (`schema`) so that sections defined in other modules
(``org:`` in `org`) can use them without importing each other in a circle.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator

__all__ = ["CHAT_KEY_PATTERN", "LANGUAGES", "ChatKey", "Identity", "Language", "Role"]

Language = Literal["zh_Hans", "zh_Hant", "en"]
"""The languages qunzhu speaks: Simplified Chinese, Traditional Chinese, English."""

LANGUAGES: tuple[Language, ...] = ("zh_Hans", "zh_Hant", "en")

_IDENTITY = re.compile(r"[a-z][a-z0-9_]*:\S+")
_ROLE = re.compile(r"\w[\w-]*(:\S+)?")
CHAT_KEY_PATTERN = _IDENTITY


def _check_identity(value: str) -> str:
    if not _IDENTITY.fullmatch(value):
        message = f"{value!r} is not an identity: write platform:id, e.g. telegram:12345"
        raise ValueError(message)
    return value


def _check_role(value: str) -> str:
    if not _ROLE.fullmatch(value):
        message = f"{value!r} is not a role: write a name, or name:scope, e.g. member:housing"
        raise ValueError(message)
    return value


def _check_chat_key(value: str) -> str:
    if not CHAT_KEY_PATTERN.fullmatch(value):
        message = f"{value!r} is not a chat key: write platform:chat_id, e.g. telegram:-1001234"
        raise ValueError(message)
    return value


Identity = Annotated[str, AfterValidator(_check_identity)]
"""A person's account on one platform, `platform:id` (`telegram:12345`, `console:ana`)."""

Role = Annotated[str, AfterValidator(_check_role)]
"""A role name, optionally scoped: `admin`, `member:housing`."""

ChatKey = Annotated[str, AfterValidator(_check_chat_key)]
"""A chat, `platform:chat_id` (`console:village-3`, `telegram:-1001234`)."""
