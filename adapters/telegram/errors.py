"""aiogram's exceptions → what the core's sender does about a message.

==================================  ==========================================================
Telegram says                       the outbox does
==================================  ==========================================================
429 Too Many Requests               `RetryLater`: the whole bot waits retry_after (see below)
5xx, network error, timeout         `TemporaryFailure`: retried with backoff
401 Unauthorized (token revoked)    `TemporaryFailure`: retried, so a fixed token resumes
403 kicked, blocked, not a member   `PermanentFailure(chat_gone=True)`: the chat is inactive,
                                    its queue dropped
403 can't initiate conversation     `PermanentFailure`: this message only (the person has not
                                    pressed Start yet; they may later)
400 chat not found                  `PermanentFailure(chat_gone=True)`
other 400s, 404, 413                `PermanentFailure` with Telegram's description
==================================  ==========================================================

Why a 429 pauses the whole bot, not only its chat: Telegram's answer does not say which limit
was broken (30/s for the bot, 20/min in a group, or a limit it does not publish), and the sender
already keeps under every published one, so a 429 means the bot's picture of its limits is
wrong (another process using the token, a hidden limit). Pausing every chat for retry_after
seconds costs a broadcast at most that long once; guessing "this chat only" when the limit was
the bot's lets every other chat in flight hit it too, and Telegram lengthens the waits of bots
that keep sending into a flood wait.
"""

from __future__ import annotations

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)

from qunzhu.core.adapter import DeliveryError, PermanentFailure, RetryLater, TemporaryFailure

__all__ = ["NOT_MODIFIED", "delivery_error", "description", "unreachable"]

NOT_MODIFIED = "message is not modified"
_NOT_STARTED = "can't initiate conversation"
_GONE_400 = ("chat not found", "group chat was deactivated", "CHAT_WRITE_FORBIDDEN")


def description(exc: BaseException) -> str:
    """Telegram's own words for an API error, else the exception's text."""
    if isinstance(exc, TelegramRetryAfter):
        return f"Too Many Requests: retry after {exc.retry_after}"
    if isinstance(exc, TelegramAPIError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def unreachable(exc: BaseException) -> bool:
    """Whether a failed call at start-up is worth asking again (network, time-out, 5xx, 429),
    not a refused token (401) or a wrong address (404)."""
    waits = (TelegramNetworkError, TelegramServerError, TelegramRetryAfter, OSError, TimeoutError)
    return isinstance(exc, waits) and not isinstance(exc, TelegramEntityTooLarge)


def delivery_error(exc: BaseException) -> DeliveryError:
    """The core's verdict on a failed Bot API call."""
    text = description(exc)
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, TelegramRetryAfter):
        return RetryLater(float(exc.retry_after), chat_only=False, detail=text)
    if isinstance(exc, TelegramForbiddenError):
        return PermanentFailure(text, chat_gone=_NOT_STARTED not in text)
    if isinstance(exc, TelegramBadRequest):
        return PermanentFailure(text, chat_gone=any(g in text for g in _GONE_400))
    if isinstance(exc, TelegramMigrateToChat | TelegramNotFound | TelegramEntityTooLarge):
        return PermanentFailure(text)
    return TemporaryFailure(text)  # 5xx, 401, 409, network errors, timeouts, garbled answers
