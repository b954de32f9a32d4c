"""The ``ready`` log line says how long start-up took: from the process's start, in `App.start`,
and per adapter (issue 19: the compass for start-up is 1 s on the console)."""

from __future__ import annotations

import logging
import re

import pytest

from qunzhu.core.app import seconds_since_process_start
from qunzhu.core.testing import BotHarness


async def test_the_ready_line_gives_the_time_to_ready_and_each_adapters(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="qunzhu.app")
    await bot.restart()
    [line] = [r.getMessage() for r in caplog.records if "event=ready" in r.getMessage()]
    found = re.fullmatch(
        r"event=ready adapters=memory plugins=\d+ db=\S+ seconds=(\d+\.\d\d) "
        r"start_seconds=(\d+\.\d\d) adapter_seconds=memory:(\d+\.\d\d)",
        line,
    )
    assert found is not None, line
    since_start, in_start, adapter = (float(v) for v in found.groups())
    assert since_start >= in_start >= adapter >= 0.0


def test_the_process_started_before_now_and_not_long_before() -> None:
    first = seconds_since_process_start()
    assert 0.0 < first < 24 * 3600
    assert seconds_since_process_start() >= first
