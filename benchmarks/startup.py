"""``startup``: seconds from process start to the ``event=ready`` log line, on the console and on
Telegram against the emulator, beside aiogram's own import time, measured in the same run.

Each start is a fresh ``qunzhu run`` process (SQLite in its own folder). The first start in a
folder creates the database (migrations); the next ones find it up to date, as a restarted bot
does: those are the figure that matters (median of `--runs`). Telegram runs against ``qunzhu
telegram emulator`` on loopback (started here, once). The baselines: a bare interpreter
(``python -c pass``) and ``python -c "import aiogram"``. The compass for start-up is 1 s on the
console (issue 19). Figures are printed, never asserted.

    python -m benchmarks.startup [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY = re.compile(r"event=ready .*seconds=([\d.]+) start_seconds=([\d.]+) adapter_seconds=(\S+)")
TOKEN = "123456:TEST"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QUNZHU")}
    return {**clean, "QUNZHU_LOG_LEVEL": "INFO"}


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def start_to_ready(folder: Path) -> tuple[float, str]:
    """Wall seconds from spawning ``qunzhu run`` in `folder` to its ready line; the line's own
    figures."""
    argv = [sys.executable, "-m", "qunzhu.core.cli", "run"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=folder,
        env=env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    figures = ""
    try:
        for line in proc.stderr:
            found = READY.search(line)
            if found is not None:
                elapsed = time.perf_counter() - started
                since, app, adapters = found.groups()
                figures = f"(line: seconds={since} start_seconds={app} adapters {adapters})"
                return elapsed, figures
        msg = f"qunzhu run ended without a ready line (exit {proc.wait()})"
        raise RuntimeError(msg)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)  # closes the pipes


def series(config: str | None, runs: int) -> tuple[float, float, str]:
    """First start (creates the database) and the median of `runs` starts after it."""
    with tempfile.TemporaryDirectory(prefix="qunzhu-startup-") as name:
        folder = Path(name)
        if config is not None:
            (folder / "qunzhu.yaml").write_text(config, encoding="utf-8")
        first, _ = start_to_ready(folder)
        later = [start_to_ready(folder) for _ in range(runs)]
    median = statistics.median(t for t, _ in later)
    return first, median, later[-1][1]


def emulator(port: int) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "qunzhu.core.cli", "telegram", "emulator", "--port", str(port),
            "--token", TOKEN, "--empty"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    msg = "the Telegram emulator did not start"
    raise RuntimeError(msg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"startup: process start to event=ready, fresh process each, median of {runs} restarts")
    bare = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(runs))
    aiogram = statistics.median(wall([sys.executable, "-c", "import aiogram"]) for _ in range(runs))
    print(f"  bare interpreter:           {bare:5.2f} s")
    print(f"  python -c 'import aiogram': {aiogram:5.2f} s (baseline)")
    first, later, figures = series(None, runs)
    print(f"  console:  first {first:5.2f} s, restart {later:5.2f} s (compass 1 s) {figures}")
    port = free_port()
    emu = emulator(port)
    try:
        config = (f"adapters:\n  telegram:\n    token: '{TOKEN}'\n"
                  f"    api_base: http://127.0.0.1:{port}\n")  # fmt: skip
        first, later, figures = series(config, runs)
        print(
            f"  telegram: first {first:5.2f} s, restart {later:5.2f} s "
            f"({later / aiogram:.1f}x aiogram's import) {figures}"
        )
    finally:
        emu.terminate()
        emu.wait(timeout=30)


if __name__ == "__main__":
    main()
