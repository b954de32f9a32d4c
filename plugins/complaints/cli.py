"""``qunzhu complaints``: the plugin's own commands, under ``qunzhu`` (entry point ``qunzhu.cli``).

    qunzhu complaints export [-c FILE] [--format csv|xlsx] [-o PATH] [--lang zh_Hans]
    qunzhu complaints import [-c FILE] PATH.csv|PATH.json

``export`` reads the database directly (the bot may be running). ``import`` posts the file to the
running bot's ``/complaints/hotline`` route with the configured token, so the tickets get their
cards and deadlines from the bot itself, and prints what was filed, what was a duplicate and what
was refused (by line, with the reason) in ``bot.language``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["main"]

_CONFIG = click.option(
    "-c", "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    envvar="QUNZHU_CONFIG", default=None, help="Config file (default: ./qunzhu.yaml if it exists).",
)  # fmt: skip


def _load(path: Path | None) -> Any:
    from qunzhu.core import load_settings

    if path is None and Path("qunzhu.yaml").is_file():
        path = Path("qunzhu.yaml")
    return load_settings(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Tickets of the complaints plugin (问题受理)."""


@main.command("export")
@_CONFIG
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--lang", default=None, help="zh_Hans, zh_Hant or en (default: bot.language).")
def export_command(
    config_path: Path | None, fmt: str, output: Path | None, lang: str | None
) -> None:
    """Write every ticket to a CSV or XLSX file."""
    from qunzhu.core import QunzhuError

    try:
        settings = _load(config_path)
        body = asyncio.run(_export(settings, fmt, lang))
    except QunzhuError as exc:
        click.echo(f"qunzhu complaints: {exc}", err=True)
        sys.exit(2)
    target = output or Path(f"tickets.{fmt}")
    target.write_bytes(body)
    click.echo(f"{target}: written")


async def _export(settings: Any, fmt: str, lang: str | None) -> bytes:
    from qunzhu.core import Catalogs, Database, Org, SystemClock

    from .config import ComplaintsConfig
    from .export import rows, to_csv, to_xlsx

    config = settings.plugin_config("complaints") or ComplaintsConfig()
    org = Org.from_settings(settings)
    catalogs = Catalogs(settings.bot.language)
    catalogs.add_domain("complaints", Path(__file__).parent / "locale")
    t = catalogs.translator(lang or settings.bot.language, "complaints")
    db = Database(settings.database.url)
    try:
        async with db.session() as session:
            table = await rows(session, config, t, settings.bot.tz, SystemClock().now(), org=org)
    finally:
        await db.dispose()
    return to_xlsx(table) if fmt == "xlsx" else to_csv(table)


@main.command("import")
@_CONFIG
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(config_path: Path | None, path: Path) -> None:
    """Send a 12345 CSV or JSON file to the running bot."""
    settings = _load(config_path)
    config = settings.plugin_config("complaints")
    token = config.hotline.token if config is not None else None
    if token is None or not settings.web.enabled:
        click.echo(
            "qunzhu complaints: set web.enabled and plugins.complaints.hotline.token", err=True
        )
        sys.exit(2)
    url = f"http://{settings.web.host}:{settings.web.port}/complaints/hotline"
    url += f"?lang={settings.bot.language}"
    kind = "text/csv" if path.suffix.lower() == ".csv" else "application/json"
    status, text = asyncio.run(_post(url, token.get_secret_value(), kind, path.read_bytes()))
    click.echo(_readable(settings, status, text))
    sys.exit(0 if status < 300 else 1)


def _readable(settings: Any, status: int, text: str) -> str:
    """The route's answer for a person: one line per ticket, duplicate and refusal."""
    import json

    from qunzhu.core import Catalogs

    try:
        data = json.loads(text)
    except ValueError:
        return f"{status}: {text[:500]}"
    catalogs = Catalogs(settings.bot.language)
    catalogs.add_domain("complaints", Path(__file__).parent / "locale")
    t = catalogs.translator(settings.bot.language, "complaints")
    lines = [data["error"]] if "error" in data else []
    for row in data.get("filed", []):
        line = t("{where}: filed as {number}", where=row["at"], number=row["number"])
        lines.append(line + (f" ({row['reason']})" if row.get("reason") else ""))
    for row in data.get("duplicates", []):
        lines.append(
            t("{where}: imported before as {number}", where=row["at"], number=row["number"])
        )
    lines += [
        t("{where}: {reason}", where=row["at"], reason=row["reason"])
        for row in data.get("refused", [])
    ]
    return "\n".join(lines)


async def _post(url: str, token: str, kind: str, body: bytes) -> tuple[int, str]:
    import io

    import aiohttp

    headers = {"Authorization": f"Bearer {token}", "Content-Type": kind}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=io.BytesIO(body), headers=headers) as r,
    ):
        return r.status, await r.text()
