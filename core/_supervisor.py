"""Several worker processes of one config: ``qunzhu run --workers N``.

A bot on one PostgreSQL (``dispatcher.shared``) may run in several processes: they share the
inbox, the jobs and the sending, and elect the one that polls each platform account
(`qunzhu.core._election`). The `Supervisor` starts them, each ``qunzhu run -c FILE --worker N``
(with ``QUNZHU_WORKER=N`` in its environment), and keeps them running. With ``web.enabled``,
worker N listens on ``web.port + N - 1``: each has its own figures for Prometheus to scrape, and
the reverse proxy spreads webhooks over them (``deploy/``).

* a worker that dies (a crash, ``SIGKILL``, an out-of-memory kill) is started again after a
  pause: `FIRST_PAUSE`, doubled at each death in a row up to `MAX_PAUSE`; one that had run for
  `STEADY_SECONDS` starts again from the first pause. Each death and restart is a log line.
* ``SIGTERM`` or ``SIGINT`` (Ctrl-C) is passed on to every worker, which stops cleanly (what it
  received is handled and sent first); a worker still running after `GRACE_SECONDS` is killed.
  ``SIGHUP`` (the terminal closed) stops them the same way, with ``SIGTERM``: workers in their
  own process group would otherwise outlive the supervisor.
  The supervisor then exits 0, or 1 when it had to kill one.

Workers run in a process group of their own, so a Ctrl-C in a terminal reaches them once, from
the supervisor. Under systemd, ``KillMode=mixed`` (``deploy/qunzhu.service``) sends the stop
signal to the supervisor alone and kills whatever is left after ``TimeoutStopSec``, workers
included, should the supervisor itself be killed.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

__all__ = ["FIRST_PAUSE", "GRACE_SECONDS", "MAX_PAUSE", "STEADY_SECONDS", "Supervisor"]

log = logging.getLogger("qunzhu.supervisor")
FIRST_PAUSE = 1.0
MAX_PAUSE = 60.0
STEADY_SECONDS = 60.0
GRACE_SECONDS = 30.0
_TICK = 0.1
#: The variable that tells a worker its number (1..N): in its log lines' environment, for people.
WORKER_VARIABLE = "QUNZHU_WORKER"


@dataclass
class _Slot:
    number: int
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    deaths: int = 0
    restart_at: float = 0.0


class Supervisor:
    """Runs `command` `workers` times, restarts those that die, stops them all on a signal."""

    def __init__(
        self,
        command: Sequence[str],
        workers: int,
        *,
        grace: float = GRACE_SECONDS,
        first_pause: float = FIRST_PAUSE,
        max_pause: float = MAX_PAUSE,
        steady: float = STEADY_SECONDS,
        env: Mapping[str, str] | None = None,
        numbered: bool = False,
    ) -> None:
        if workers < 1:
            msg = f"workers must be at least 1, not {workers}"
            raise ValueError(msg)
        self.command = list(command)
        self.slots = [_Slot(n) for n in range(1, workers + 1)]
        self.grace = grace
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.steady = steady
        self.env = dict(os.environ if env is None else env)
        #: Give each worker ``--worker N`` (``qunzhu run``: its web port is web.port + N - 1).
        self.numbered = numbered
        self._signal: int | None = None

    def run(self) -> int:
        """Start the workers and supervise them until SIGTERM or SIGINT; the exit code."""
        handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in handled}
        try:
            log.info("event=supervisor_started workers=%d pid=%d", len(self.slots), os.getpid())
            while self._signal is None:
                now = time.monotonic()
                for slot in self.slots:
                    self._watch(slot, now)
                time.sleep(_TICK)
            return self._stop(self._signal)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._signal is None:
            self._signal = signum

    def _watch(self, slot: _Slot, now: float) -> None:
        if slot.proc is not None:
            code = slot.proc.poll()
            if code is None:
                return
            ran = now - slot.started
            slot.deaths = 1 if ran >= self.steady else slot.deaths + 1
            pause = min(self.first_pause * 2 ** (slot.deaths - 1), self.max_pause)
            slot.restart_at = now + pause
            log.warning(
                "event=worker_died worker=%d pid=%d code=%s ran=%.1f restart_in=%.1f",
                slot.number,
                slot.proc.pid,
                _describe(code),
                ran,
                pause,
            )
            slot.proc = None
        if now >= slot.restart_at:
            self._spawn(slot, now)

    def _spawn(self, slot: _Slot, now: float) -> None:
        env = {**self.env, WORKER_VARIABLE: str(slot.number)}
        try:
            number = ["--worker", str(slot.number)] if self.numbered else []
            command = [*self.command, *number]
            slot.proc = subprocess.Popen(command, env=env, process_group=0)
        except OSError as exc:  # the interpreter went away in an upgrade: try again later
            slot.deaths += 1
            slot.restart_at = now + min(self.first_pause * 2 ** (slot.deaths - 1), self.max_pause)
            log.error("event=worker_not_started worker=%d error=%s", slot.number, exc)
            return
        slot.started = now
        event = "worker_restarted" if slot.deaths else "worker_started"
        log.info("event=%s worker=%d pid=%d", event, slot.number, slot.proc.pid)

    def _stop(self, signum: int) -> int:
        running = [s for s in self.slots if s.proc is not None and s.proc.poll() is None]
        log.info(
            "event=supervisor_stopping signal=%s workers=%d",
            signal.Signals(signum).name,
            len(running),
        )
        passed = signal.SIGTERM if signum == signal.SIGHUP else signum
        for slot in running:
            assert slot.proc is not None
            slot.proc.send_signal(passed)
        deadline = time.monotonic() + self.grace
        killed = 0
        for slot in running:
            assert slot.proc is not None
            try:
                slot.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error(
                    "event=worker_killed worker=%d pid=%d grace=%.0f",
                    slot.number,
                    slot.proc.pid,
                    self.grace,
                )
                slot.proc.kill()
                slot.proc.wait()
                killed += 1
        log.info("event=supervisor_stopped killed=%d", killed)
        return 1 if killed else 0


def _describe(code: int) -> str:
    """``1``, or ``SIGKILL`` for a worker ended by a signal."""
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return str(code)
