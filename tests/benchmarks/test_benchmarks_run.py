"""The benchmarks run end to end on small inputs (figures are printed by `make bench`, never
asserted here: the machines are noisy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.dispatch import latency, throughput
from benchmarks.fanout import main as fanout


async def test_dispatch_benchmark_runs() -> None:
    figures = await throughput(None, 300)
    assert figures.messages == 300 and figures.seconds > 0
    p50, p99, achieved = await latency(None, 100, 500.0)
    assert 0 < p50 <= p99 and achieved > 0


async def test_fanout_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    await fanout(60, 50.0)
    out = capsys.readouterr().out
    assert "limit violations: 0" in out and "sent 60, pending 0, failed 0" in out


async def test_people_cache_benchmark_runs_and_its_cache_stays_within_the_bound() -> None:
    from benchmarks.people_cache import child

    figures = await child(400, 50)
    assert figures["cached"] == 50
    assert [q["messages"] for q in figures["quarters"]] == [100, 200, 300, 400]  # type: ignore[attr-defined]


def test_startup_benchmark_reads_the_ready_line(tmp_path: Path) -> None:
    from benchmarks.startup import start_to_ready

    seconds, figures = start_to_ready(tmp_path)
    assert seconds > 0 and "adapters console:" in figures


async def test_digest_heads_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.digest_heads import run

    await run(300, 10)  # a district, 4 townships, 5 bureaus: every head has overdue tickets
    out = capsys.readouterr().out
    assert "10 supervisors and 10 unit heads" in out and "20 messages" in out
    assert "10 messages" in out  # the supervisors alone
