"""The city benchmark runs end to end at a tiny size, on SQLite (its figures are printed by
`make bench`, never asserted: the machines are noisy; ``--small`` is the smoke test by hand)."""

from __future__ import annotations

import pytest

from benchmarks.city import PARTS, SMALL, main


async def test_city_benchmark_runs_every_part(capsys: pytest.CaptureFixture[str]) -> None:
    size = {**SMALL, "people": 300, "groups": 20, "messages": 400, "tickets": 200,
            "checkin_groups": 5, "broadcast_groups": 5}  # fmt: skip
    await main(size, list(PARTS), with_pg=False)
    out = capsys.readouterr().out
    assert "SQLite                 first 400:" in out and "RSS start" in out
    assert "opening 5 check-ins of 12" in out and "physical bound at 30 msg/s" in out
    assert "/tickets overdue  answered in" in out and "broadcast to 5 groups" in out
    assert "workers:" in out and "(skipped: no PostgreSQL)" in out
