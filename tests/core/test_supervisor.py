"""The supervisor of ``qunzhu run --workers`` with stand-in workers (small Python loops), no
database: a worker that keeps dying is restarted after longer and longer pauses; SIGHUP (the
terminal closed) stops the workers with SIGTERM; a worker that ignores SIGTERM is killed after
the grace period and the exit code says so. The real run is ``tests/crash/test_supervisor.py``."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SUPERVISE = """
import logging, sys
from qunzhu.core._supervisor import Supervisor
logging.basicConfig(level=logging.INFO, format="%(message)s")
worker = [sys.executable, "-c", sys.argv[1]]
sys.exit(Supervisor(worker, 2, grace=1.0, first_pause=0.2, max_pause=0.8).run())
"""
#: Writes its pid and the signal it got to a file, then ends (or not: IGNORE).
WORKER = """
import os, signal, sys, time
def stop(sig, frame):
    open({out!r}, "a").write(f"{{os.getpid()}} got {{signal.Signals(sig).name}}\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, {handler})
open({out!r}, "a").write(f"{{os.getpid()}} up\\n")
time.sleep({life})
"""


def _start(tmp_path: Path, *, life: float = 60, handler: str = "stop") -> subprocess.Popen[str]:
    out = str(tmp_path / "workers.txt")
    worker = WORKER.format(out=out, handler=handler, life=life)
    return subprocess.Popen(
        [sys.executable, "-c", SUPERVISE, worker],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait_lines(path: Path, count: int) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    pytest.fail(f"only {path.read_text() if path.exists() else 'nothing'}")


def test_a_worker_that_keeps_dying_is_restarted_after_longer_pauses(tmp_path: Path) -> None:
    supervisor = _start(tmp_path, life=0)
    _wait_lines(tmp_path / "workers.txt", 10)
    supervisor.send_signal(signal.SIGTERM)
    _, err = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0, err
    pauses = [
        float(p) for p in re.findall(r"worker=1 pid=\d+ code=0 ran=\S+ restart_in=(\S+)", err)
    ]
    assert pauses[:4] == [0.2, 0.4, 0.8, 0.8]
    assert "event=worker_restarted worker=1 pid=" in err


def test_sighup_stops_the_workers_with_sigterm(tmp_path: Path) -> None:
    supervisor = _start(tmp_path)
    _wait_lines(tmp_path / "workers.txt", 2)
    supervisor.send_signal(signal.SIGHUP)
    _, err = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0, err
    got = [line.split()[1:] for line in (tmp_path / "workers.txt").read_text().splitlines()]
    assert got.count(["got", "SIGTERM"]) == 2
    assert "event=supervisor_stopping signal=SIGHUP workers=2" in err
    assert "event=supervisor_stopped killed=0" in err


def test_a_worker_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    supervisor = _start(tmp_path, handler="signal.SIG_IGN")
    _wait_lines(tmp_path / "workers.txt", 2)
    started = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    _, err = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 1, err
    assert time.monotonic() - started >= 1.0
    assert len(re.findall(r"event=worker_killed worker=\d pid=\d+ grace=1", err)) == 2
    assert "event=supervisor_stopped killed=2" in err
