"""Sliding windows of the sender's rate limiter (`qunzhu.core.delivery._ratelimit`)."""

from __future__ import annotations

import pytest

from qunzhu.core.delivery._ratelimit import MARGIN, Limit, Limits, RateLimiter, Window
from qunzhu.core.model._events import ChatKind, ChatRef


def test_a_window_lends_n_tokens_each_back_after_per_and_the_margin() -> None:
    window = Window(Limit(2, 1.0))
    window.take(0.0)
    window.take(0.1)
    assert window.wait(0.5) == pytest.approx(1.0 + MARGIN - 0.5)
    assert window.wait(1.0 + MARGIN) == 0.0


def test_a_send_that_left_a_little_late_costs_nothing_more() -> None:
    window = Window(Limit(1, 1.0))
    window.take(0.0)
    window.shift(0.0, MARGIN - 0.001)  # within the margin
    assert window.wait(1.0 + MARGIN) == 0.0


def test_a_send_held_up_by_a_stall_returns_its_token_that_much_later() -> None:
    window = Window(Limit(1, 1.0))
    window.take(0.0)
    window.shift(0.0, 0.2)  # the loop was busy for 200 ms before the send left
    late = 0.2 - MARGIN
    assert window.wait(1.0 + MARGIN) == pytest.approx(late)
    assert window.wait(1.0 + MARGIN + late) == 0.0


def test_the_limiter_shifts_the_bots_window_and_the_chats() -> None:
    chat = ChatRef("t", "g1", ChatKind.GROUP)
    limiter = RateLimiter(Limits(total=Limit(1, 1.0), per_chat={ChatKind.GROUP: Limit(1, 60.0)}))
    limiter.take(chat, 0.0)
    limiter.shift(chat, 0.0, 5.0)
    assert limiter.bot_wait(1.0 + MARGIN) > 0  # the bot's token is still out
    assert limiter.wait(chat, 60.0 * (1 + MARGIN)) > 0  # and so is the chat's
    assert limiter.wait(chat, 70.0) == 0.0
