"""`keep_connected`, the reconnect loop the WeCom and DingTalk adapters share: the pauses
between connections (1, 2, 4 … up to `max_backoff`, from 1 again after a good one), the
next one at once after a good one with `again_at_once`, and a failure logged without stopping
the loop."""

from __future__ import annotations

import logging

import pytest

from qunzhu.core.adapter import keep_connected

log = logging.getLogger("tests.keep_connected")


async def _run(
    outcomes: list[bool | Exception], monkeypatch: pytest.MonkeyPatch, **kw: bool
) -> list[float]:
    pauses: list[float] = []

    async def sleep(delay: float) -> None:
        pauses.append(delay)

    monkeypatch.setattr("qunzhu.core.delivery._reconnect.asyncio.sleep", sleep)
    left = list(outcomes)

    async def connect_once() -> bool:
        outcome = left.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    await keep_connected(
        connect_once, lambda: not left, name="demo", max_backoff=4.0, log=log, **kw
    )
    return pauses


async def test_the_pause_doubles_up_to_max_backoff_and_starts_over_after_a_good_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses = await _run([False, False, False, False, True, False], monkeypatch)
    assert pauses == [1.0, 2.0, 4.0, 4.0, 1.0]


async def test_again_at_once_reconnects_without_a_pause_after_a_good_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses = await _run([False, True, True, False], monkeypatch, again_at_once=True)
    assert pauses == [1.0]


async def test_a_failed_connection_is_logged_and_retried(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pauses = await _run([OSError("refused"), True], monkeypatch)
    assert pauses == [1.0]
    assert "event=demo_connection_failed error=OSError" in caplog.text
