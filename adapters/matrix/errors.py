"""The homeserver's answers → what the core's sender does about a message.

=====================================  ====================================================
the homeserver says                    the outbox does
=====================================  ====================================================
429 ``M_LIMIT_EXCEEDED``               `RetryLater` ``retry_after_ms`` (5 s if not given),
                                       for the whole bot: Matrix limits an account, not a room
403 ``M_FORBIDDEN``, the bot is not    `PermanentFailure(chat_gone=True)`: the chat is
in the room (left, kicked, banned)     inactive, its queue dropped
other 403s (power level too low...)    `PermanentFailure`: this message only
404 ``M_NOT_FOUND``, 413, ``M_TOO_     `PermanentFailure`
LARGE``, ``M_BAD_JSON``, other 4xx
401 ``M_UNKNOWN_TOKEN``                `TemporaryFailure` (the sync loop logs in again)
5xx, network errors, timeouts          `TemporaryFailure`: retried with backoff
=====================================  ====================================================

matrix-nio retries a 429 forever by default: the adapter's client is built with
``max_limit_exceeded=0`` and ``max_timeouts=0``, so every 429 and every timeout comes here and
the outbox decides, with its own attempt count and backoff.
"""

from __future__ import annotations

import asyncio
from typing import Any

from qunzhu.core.adapter import DeliveryError, PermanentFailure, RetryLater, TemporaryFailure

__all__ = ["http_status", "is_unknown_token", "request_error", "response_error"]

_NOT_IN_ROOM = ("not in room", "not in the room", "not joined", "is banned", "been banned")
_PERMANENT = frozenset(
    {
        "M_NOT_FOUND",
        "M_TOO_LARGE",
        "M_BAD_JSON",
        "M_NOT_JSON",
        "M_INVALID_PARAM",
        "M_UNRECOGNIZED",
        "M_BAD_STATE",
        "M_UNKNOWN_POS",
        "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM",
    }
)


def http_status(response: Any) -> int | None:
    """The HTTP status of a matrix-nio response, when it has one."""
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", None)
    return status if isinstance(status, int) else None


def is_unknown_token(response: Any) -> bool:
    return getattr(response, "status_code", None) == "M_UNKNOWN_TOKEN" or (
        http_status(response) == 401
    )


def response_error(response: Any, what: str = "") -> DeliveryError:
    """The core's verdict on a matrix-nio ``ErrorResponse``."""
    code = getattr(response, "status_code", None)
    message = str(getattr(response, "message", "") or "")
    status = http_status(response)
    detail = f"{what}{code or status or 'error'}: {message}".strip()
    if code == "M_LIMIT_EXCEEDED" or status == 429:
        retry_ms = getattr(response, "retry_after_ms", None)
        seconds = retry_ms / 1000 if isinstance(retry_ms, int | float) and retry_ms > 0 else 5.0
        return RetryLater(seconds, chat_only=False, detail=detail)
    if is_unknown_token(response):
        return TemporaryFailure(detail)
    if code == "M_FORBIDDEN" or status == 403:
        gone = any(words in message.lower() for words in _NOT_IN_ROOM)
        return PermanentFailure(detail, chat_gone=gone)
    if code in _PERMANENT or (status is not None and 400 <= status < 500):
        return PermanentFailure(detail)
    return TemporaryFailure(detail)  # 5xx, "unknown error" bodies, anything unexpected


def request_error(exc: BaseException, what: str = "") -> DeliveryError:
    """The core's verdict on an exception from a request (network, timeout, a bug)."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return TemporaryFailure(f"{what}timed out")
    return TemporaryFailure(f"{what}{type(exc).__name__}: {exc}")
