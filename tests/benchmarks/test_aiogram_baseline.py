"""Smoke test for the aiogram 3 baseline of the ``dispatch`` benchmark (small n, sanity only).

Skipped with a reason when aiogram is not installed; in CI (``CI`` set) that is a failure,
because CI installs the ``bench`` extra."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

try:
    import aiogram  # noqa: F401
except ImportError as exc:
    _reason = f"aiogram is not installed (pip install -e '.[bench]'): {exc}"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the aiogram baseline test: {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

_MODULE = "benchmarks.aiogram_baseline"


def _load_baseline() -> ModuleType:
    """Import benchmarks/aiogram_baseline.py whether or not the repo root is on ``sys.path``
    (pytest runs with ``--import-mode=importlib`` and ``benchmarks`` is not installed)."""
    try:
        return importlib.import_module(_MODULE)
    except ModuleNotFoundError:
        pass
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "aiogram_baseline.py"
    spec = importlib.util.spec_from_file_location(_MODULE, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_MODULE] = module
    spec.loader.exec_module(module)
    return module


baseline = _load_baseline()


@pytest.mark.parametrize("magic_filter", [True, False], ids=["F-filter", "async-filter"])
async def test_baseline_runs_and_is_sane(magic_filter: bool) -> None:
    result = await baseline.run_aiogram(200, magic_filter=magic_filter)

    assert result.name.startswith("aiogram 3.")
    assert result.messages == 200
    assert result.seconds > 0
    assert result.per_second == pytest.approx(200 / result.seconds)
    assert 0 < result.p50_ms <= result.p99_ms
    # Generous bounds: a single in-memory feed_update taking a second means something is wrong.
    assert result.p99_ms < 1_000
    line = baseline.format_result(result)
    assert "msgs/s" in line and "(n=200)" in line


async def test_baseline_counts_only_keyword_messages() -> None:
    # run_aiogram raises unless rows and replies equal the number of texts with the keyword.
    none = await baseline.run_aiogram(200, match_ratio=0.0)
    every = await baseline.run_aiogram(200, match_ratio=1.0, keyword="开会")
    assert none.messages == every.messages == 200


async def test_baseline_rejects_empty_run() -> None:
    with pytest.raises(ValueError, match="positive"):
        await baseline.run_aiogram(0)
