"""The two kinds of error in the emulator.

`ApiError` is what a Bot API method answers with: the server turns it into Telegram's error body
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}`` with HTTP status N.
The descriptions are Telegram's own strings, because bots match on them.

`ScenarioError` is raised to a *test* that asks the simulated world for something impossible
(pressing a button that is not on the message, migrating a supergroup...).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "NOT_MODIFIED",
    "ApiError",
    "ScenarioError",
    "bad_request",
    "forbidden",
    "too_many_requests",
]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status `code`, Telegram's `description`, optional
    `parameters` (``retry_after``, ``migrate_to_chat_id``)."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            out["parameters"] = self.parameters
        return out


class ScenarioError(ValueError):
    """A test asked the emulated world for something that cannot happen on Telegram."""


def bad_request(detail: str, **parameters: Any) -> ApiError:
    """``400 Bad Request: <detail>``."""
    return ApiError(400, f"Bad Request: {detail}", parameters or None)


def forbidden(detail: str) -> ApiError:
    """``403 Forbidden: <detail>``."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """``429 Too Many Requests: retry after N`` with ``parameters.retry_after = N``."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
