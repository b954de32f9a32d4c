"""The exception hierarchy. Every error qunzhu raises on purpose derives from `QunzhuError`.

QunzhuError
├── ConfigError          the YAML file is missing, malformed or invalid (every problem listed)
├── PluginError          a plugin cannot be loaded or declares something twice
├── StorageError         the database cannot be reached or is not migrated
├── AdapterError         a platform adapter failed to start or to deliver
│   └── PlatformUnreachable  the platform cannot be reached now: start-up waits and tries again
└── UsageError           a person used a command wrongly (shown to them, never a traceback)
    └── PermissionDenied the person lacks the role a command requires
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "DeliveryError",
    "PermanentFailure",
    "PlatformUnreachable",
    "ConfigError",
    "PermissionDenied",
    "PluginError",
    "QunzhuError",
    "RetryLater",
    "StorageError",
    "TemporaryFailure",
    "UsageError",
]


class QunzhuError(Exception):
    """The root of qunzhu's own errors."""


class ConfigError(QunzhuError):
    """Configuration problems, all of them at once: `problems` holds one line per problem."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class PluginError(QunzhuError):
    """A plugin could not be loaded, or clashes with another (duplicate command name...)."""


class StorageError(QunzhuError):
    """The database is unreachable or its schema does not match the code."""


class AdapterError(QunzhuError):
    """An adapter failed to start or to deliver."""


class PlatformUnreachable(AdapterError):
    """An adapter's start could not reach its platform (no connection, a time-out, a 5xx or 429
    answer): the application waits and starts it again, where a refused token or a wrong address
    (`AdapterError`) stops the start at once."""


class DeliveryError(AdapterError):
    """One message could not be delivered."""


class RetryLater(DeliveryError):
    """The platform asked to wait `seconds` (for the whole bot, or only for this chat)."""

    def __init__(self, seconds: float, *, chat_only: bool = False, detail: str = "") -> None:
        self.seconds = seconds
        self.chat_only = chat_only
        super().__init__(detail or f"retry after {seconds:g} s")


class TemporaryFailure(DeliveryError):
    """A failure that may pass (server error, timeout): retried with backoff."""


class PermanentFailure(DeliveryError):
    """A failure that will not pass. With `chat_gone` the bot may no longer post in the chat
    (removed, blocked, chat deleted): the chat is marked inactive and its queue is dropped."""

    def __init__(self, detail: str, *, chat_gone: bool = False) -> None:
        self.chat_gone = chat_gone
        super().__init__(detail)


class UsageError(QunzhuError):
    """A person used a command wrongly. The message is shown to them as it is (already
    translated), so raise it with text meant for a person."""


class PermissionDenied(UsageError):
    """The person lacks the role the command requires."""
