"""Where log lines go and how they look (``logging:`` in the YAML).

qunzhu logs structured events as ``event=name key=value ...`` messages. ``format: text`` writes
them as they are, after the time, level and logger; ``format: json`` writes one JSON object a line
for a log collector: ``time``, ``level``, ``logger``, ``message``, each ``key=value`` of the message
as a field of its own (a value runs to the next `` key=``), and ``exc`` with the traceback. A
``file`` gets the same lines, rotated at ``max_bytes`` keeping ``backups`` old files.

A worker of ``qunzhu run --workers N`` says which it is on every line (``worker=2``, a field in
JSON) and writes its own file (``qunzhu-2.log`` for ``file: qunzhu.log``): processes rotating one
file under each other lose lines.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qunzhu.core.config.schema import LoggingSettings

__all__ = ["JsonFormatter", "setup_logging"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_PAIR = re.compile(r"(?:^|\s)([a-z_][a-z0-9_]*)=(.*?)(?=\s[a-z_][a-z0-9_]*=|$)", re.S)
_RESERVED = frozenset({"time", "level", "logger", "message", "exc"})


class JsonFormatter(logging.Formatter):
    def __init__(self, worker: int | None = None) -> None:
        super().__init__()
        self.worker = worker

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        if self.worker is not None:
            line["worker"] = self.worker
        for key, value in _PAIR.findall(message):
            if key not in _RESERVED:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def setup_logging(
    settings: LoggingSettings, *, level: str | None = None, worker: int | None = None
) -> None:
    """Configure the root logger: standard error, and the file if one is set. `level` overrides
    the settings' (the console adapter keeps the terminal quiet); `worker` is the number of a
    worker of ``run --workers``."""
    text = (
        TEXT_FORMAT
        if worker is None
        else TEXT_FORMAT.replace(" %(message)s", f" worker={worker} %(message)s")
    )
    formatter: logging.Formatter = (
        JsonFormatter(worker) if settings.format == "json" else logging.Formatter(text)
    )
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.file:
        handlers.append(
            logging.handlers.RotatingFileHandler(
                settings.file if worker is None else _numbered(settings.file, worker),
                maxBytes=settings.max_bytes,
                backupCount=settings.backups,
                encoding="utf-8",
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=level or settings.level, handlers=handlers, force=True)
    for noisy in ("aiosqlite", "sqlalchemy", "alembic", "nio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _numbered(file: str, worker: int) -> Path:
    path = Path(file)
    return path.with_name(f"{path.stem}-{worker}{path.suffix}")
