"""Where the configuration names a value: the key paths of the entries that are a chat key.

When a platform gives a chat a new id (a Telegram group upgraded to a supergroup), the bot goes
on under the old id, and the operator is told which entries of the file name it (``chats:``
overrides, an org unit's chats, a plugin's target group), so that the file can be brought up to
date when convenient. Read from the redacted configuration: a path is printed, never a value.
"""

from __future__ import annotations

from typing import Any

__all__ = ["where_named"]


def where_named(config: Any, value: str, path: str = "") -> list[str]:
    """The key paths (``org.township.chats[0]``, ``chats.telegram:-42``) in the JSON-able
    `config` whose key or value is `value`."""
    found: list[str] = []
    if isinstance(config, dict):
        for key, item in config.items():
            here = f"{path}.{key}" if path else str(key)
            if key == value:
                found.append(here)
            found += where_named(item, value, here)
    elif isinstance(config, list | tuple):
        for i, item in enumerate(config):
            found += where_named(item, value, f"{path}[{i}]")
    elif config == value:
        found.append(path)
    return found
