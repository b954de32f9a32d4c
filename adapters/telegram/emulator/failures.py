"""Scheduled failures: make the next calls of a method fail (or stall) on purpose.

``fail_next("sendMessage", error_code=429, retry_after=3)`` answers the next sendMessage with
Telegram's 429 body; 500 and 502 give ``Internal Server Error`` and ``Bad Gateway``; ``delay=``
holds the request that long first, which simulates a timeout (with ``error_code=None`` the request
is then carried out normally, as a slow Telegram would: the client gave up, the message exists).
Rules match by method name (case-insensitive, ``"*"`` for any) and optionally by chat_id, and are
used up in the order they were added.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from .errors import ApiError, too_many_requests

__all__ = ["Failure", "Failures"]


@dataclass
class Failure:
    """One scheduled failure; `times` counts down to zero as requests match it."""

    method: str
    error_code: int | None = 429
    retry_after: int = 1
    description: str | None = None
    chat_id: int | None = None
    times: int = 1
    delay: float = 0.0

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method not in ("*", method.lower()):
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError | None:
        """The error to answer with, or None to carry the request out after the delay."""
        if self.error_code is None:
            return None
        if self.error_code == 429 and self.description is None:
            return too_many_requests(self.retry_after)
        if self.description is not None:
            return ApiError(self.error_code, self.description)
        return ApiError(self.error_code, HTTPStatus(self.error_code).phrase)


class Failures:
    """The queue of scheduled failures."""

    def __init__(self) -> None:
        self.rules: list[Failure] = []

    def add(self, rule: Failure) -> Failure:
        rule.method = rule.method.lower()
        self.rules.append(rule)
        return rule

    def take(self, method: str, chat_id: int | str | None) -> Failure | None:
        """The first rule matching this request, used up by one."""
        for rule in self.rules:
            if rule.matches(method, chat_id):
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
