"""The promotion benchmark runs end to end at a tiny scale (its figures are printed by
`make bench`, never asserted: the machines are noisy); what it counts must be exact."""

from __future__ import annotations

import pytest

from benchmarks.promotion_broadcast import main


async def test_promotion_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    await main(12, 8)
    out = capsys.readouterr().out
    assert "promotion_broadcast: 12 groups, 8 orders at once, SQLite" in out
    assert "(12 copies in groups; press to last copy)" in out
    assert "(4 orders placed, stock left 0, the others told it is sold out, 12 copies" in out
