"""Shared test set-up. The ``bot`` fixture comes from qunzhu's own pytest plugin
(``qunzhu.core.testing.plugin``, registered as a ``pytest11`` entry point)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from qunzhu.core.clock import FakeClock
from qunzhu.core.testing import BotHarness

#: The real browser's fixtures (``chromium``, ``shots``) for the web console's browser tests.
pytest_plugins = ["tests.support.browser"]

PG_DSN = os.environ.get("QUNZHU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_reachable() -> str | None:
    try:
        import asyncpg
    except ImportError:
        return "asyncpg is not installed"
    try:
        conn = await asyncio.wait_for(asyncpg.connect(PG_DSN), timeout=5)
    except Exception as exc:
        return f"PostgreSQL at {PG_DSN} is not reachable ({type(exc).__name__}: {exc})"
    await conn.close()
    return None


async def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database; skips the test with the reason when the server is
    down, except in CI, where that is a failure."""
    problem = await _pg_reachable()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {problem}")
        pytest.skip(problem)
    import asyncpg

    name = f"qunzhu_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest_asyncio.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    return str(request.param)


@contextlib.asynccontextmanager
async def harness_on(
    backend: str,
    workdir: Path,
    plugins: Sequence[tuple[str, object]],
    *,
    bot: dict[str, Any] | None = None,
    clock: FakeClock | None = None,
) -> AsyncIterator[BotHarness]:
    """A bot (the memory adapter; `bot:` settings, English by default) on `backend`, with
    `plugins`; a fresh PostgreSQL database when it is "postgres", dropped afterwards."""
    config: dict[str, Any] = {"bot": bot or {"language": "en"}}
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        config["database"] = {"url": url}
    harness = await BotHarness.create(workdir=workdir, config=config, plugins=plugins, clock=clock)
    try:
        yield harness
    finally:
        await harness.close()
        if url:
            await drop_pg_database(url)


def _check_editable_install() -> None:
    """The Makefile installs qunzhu in setuptools' strict editable mode (a tree of links to each
    file, which mypy can follow): a module added since the install is not importable until the
    next install. Say so at once, rather than as an ImportError deep in some test (checked when
    this conftest is imported: before the conftests of the test folders, which import plugins)."""
    import qunzhu.adapters
    import qunzhu.core
    import qunzhu.plugins

    root = Path(__file__).resolve().parents[1]
    stale = []
    for package, folder in (
        (qunzhu.core, "core"),
        (qunzhu.adapters, "adapters"),
        (qunzhu.plugins, "plugins"),
    ):
        installed = Path(next(iter(package.__path__)))
        if installed.resolve() == (root / folder).resolve():
            continue  # an ordinary editable install: it sees new files
        stale += [
            f"{folder}/{path.relative_to(root / folder)}"
            for path in sorted((root / folder).rglob("*.py"))
            if not (installed / path.relative_to(root / folder)).exists()
        ]
    if stale:
        pytest.exit(
            f"not in the editable install yet: {', '.join(stale[:5])}; "
            "run `make .venv/.installed` (or `make test`), then pytest again",
            returncode=4,
        )


_check_editable_install()
