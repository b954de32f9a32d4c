"""``footprint``: peak memory of an idle bot on the console adapter, and its start-up time.

Starts ``qunzhu run`` (the embedded default: console + SQLite, fresh folder), sends ``/whoami``
and waits for the answer (start-up to ready = the time until that answer is printed), leaves it
idle for a second, then reads the process's peak resident set size (VmHWM). A bare Python
interpreter is measured the same way as the baseline.

    python -m benchmarks.footprint
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def measure(argv: list[str], ready: bytes, *, send: bytes = b"") -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNZHU")}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=folder, env=env)  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(send)
        proc.stdin.flush()
        seen = b""
        while ready not in seen:
            chunk = proc.stdout.readline()
            if not chunk:
                break
            seen += chunk
        elapsed = time.perf_counter() - started
        time.sleep(1.0)
        rss = peak_rss_kb(proc.pid)
        proc.stdin.close()
        proc.wait(timeout=30)
    return elapsed, rss


def main() -> None:
    base_time, base_rss = measure(
        [sys.executable, "-c", "import sys; print('ready', flush=True); sys.stdin.read()"], b"ready"
    )
    runs = [measure([sys.executable, "-m", "qunzhu.core.cli", "run"], b"console:me",
                    send=b"/whoami\n") for _ in range(3)]  # fmt: skip
    start = sorted(t for t, _ in runs)[1]
    rss = max(r for _, r in runs)
    print("footprint: idle bot, console adapter + SQLite (fresh folder), median of 3 starts")
    print(
        f"  start-up to first answer: {start:.2f} s (bare interpreter {base_time:.2f} s, "
        f"ratio {start / base_time:.1f})"
    )
    print(
        f"  peak RSS: {rss / 1024:.1f} MB (target <= 80 MB; bare interpreter "
        f"{base_rss / 1024:.1f} MB, ratio {rss / base_rss:.1f})"
    )


if __name__ == "__main__":
    main()
