"""The Telegram broadcast benchmark runs end to end on a small input (its figures are printed by
``python -m benchmarks.telegram_broadcast``, never asserted: the machines are noisy)."""

from __future__ import annotations

import pytest

from benchmarks.telegram_broadcast import main as telegram_broadcast


async def test_telegram_broadcast_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    await telegram_broadcast(60, 50.0)
    out = capsys.readouterr().out
    assert "limit violations (429s): 0" in out
    assert "delivered 60; photo uploads: 1" in out
