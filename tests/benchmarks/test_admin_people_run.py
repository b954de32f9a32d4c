"""The people page's benchmark runs end to end on a small city (figures are printed by
``python -m benchmarks.admin_people``, never asserted: the machines are noisy)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.admin_people import measure


async def test_admin_people_benchmark_finds_what_it_looks_for(tmp_path: Path) -> None:
    figures = await measure(f"sqlite+aiosqlite:///{tmp_path / 'people.db'}", 600, runs=1)
    rows = {label: found for label, found, _, _ in figures}
    assert rows["first page"] == 51 and rows["account telegram:10000599"] == 1
    assert rows["name 居民00012"] == 10 and rows["no one"] == 0
