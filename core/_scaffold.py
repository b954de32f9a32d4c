"""``qunzhu plugin new NAME``: write a plugin's package that passes its own tests at once.

The files come from ``_plugin_template/`` (shipped in the wheel as package data), each a
`string.Template` (``$name``, ``$package``, ``$title``, ``$dashed``); in their paths, ``PACKAGE``
and ``NAME`` stand for the import package (``qunzhu_NAME``) and the plugin's name. The package has
what ``docs/plugins.md`` walks through: the entry point, a config model, a command, a table with
its first migration, the catalogs of every language, a test using the ``bot`` fixture, a README.
"""

from __future__ import annotations

import keyword
import re
from importlib.metadata import entry_points
from pathlib import Path
from string import Template

import click

__all__ = ["check_name", "new_plugin", "plugin_new"]

TEMPLATE = Path(__file__).parent / "_plugin_template"
_SUFFIX = ".tmpl"
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def check_name(name: str) -> str | None:
    """Why `name` cannot name a new plugin, or None when it can."""
    if not _NAME.fullmatch(name) or keyword.iskeyword(name) or name.endswith("_"):
        return (
            f"{name!r} is not a plugin name: lower-case letters, digits and _ , starting with a "
            "letter (it is the YAML key, the table prefix and the command)"
        )
    from qunzhu.core.plugins import BUILTIN_PLUGINS, ENTRY_POINT_GROUP

    taken = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    taken |= {n.removeprefix("core.") for n, _ in BUILTIN_PLUGINS} | {"core"}
    if name in taken:
        return f"a plugin named {name!r} exists already: choose another name"
    return None


def new_plugin(name: str, parent: Path) -> Path:
    """Write the package of plugin `name` into ``parent/qunzhu-<name>`` and return that folder.
    Raises `click.ClickException` for a bad name or a folder that exists (never overwritten)."""
    problem = check_name(name)
    if problem is not None:
        raise click.ClickException(problem)
    dashed = name.replace("_", "-")
    target = parent / f"qunzhu-{dashed}"
    if target.exists():
        msg = f"{target} exists already: nothing was written"
        raise click.ClickException(msg)
    package = f"qunzhu_{name}"
    values = {
        "name": name,
        "package": package,
        "dashed": dashed,
        "title": "".join(part.capitalize() for part in name.split("_")),
    }
    for source in sorted(TEMPLATE.rglob(f"*{_SUFFIX}")):
        relative = source.relative_to(TEMPLATE).as_posix().removesuffix(_SUFFIX)
        path = target / relative.replace("PACKAGE", package).replace("NAME", name)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = Template(source.read_text(encoding="utf-8")).substitute(values)
        path.write_text(text, encoding="utf-8")
    return target


@click.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default="the current folder",
    help="Where to write the package's folder, qunzhu-NAME.",
)
def plugin_new(name: str, parent: Path) -> None:
    """Write a new plugin's package, qunzhu-NAME: its entry point, a config model, a command, a
    table with its first migration, catalogs, and a test that passes."""
    target = new_plugin(name, parent)
    click.echo(f"wrote {target}")
    click.echo(f"next: cd {target} && pip install -e '.[test]' && pytest")
