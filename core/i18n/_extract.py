"""Keep the translation catalogs in step with the code: ``qunzhu i18n update``.

The texts marked in code (``ctx.t("...")``, ``ctx.t.core("...")``, ``t("...")``, ``core("...")``,
``N_("...")``, ``gettext("...")``, ``ngettext("one", "many", n)``) are extracted into
``<locale_dir>/<domain>.pot``; each language of `LANGUAGES` gets
``<locale_dir>/<lang>/LC_MESSAGES/<domain>.po``, created when missing and otherwise updated:
existing translations stay, new texts arrive untranslated, a reworded text arrives with the old
translation marked fuzzy (not used until someone checks it and removes the ``fuzzy`` flag), and
texts that left the code are dropped. Then translate the empty ``msgstr`` of the ``zh_Hans`` and
``zh_Hant`` files; the ``en`` catalog may stay empty, since the message ids are English.

The core's own catalogs (run from a checkout)::

    qunzhu i18n update

Run from an installed qunzhu (the core under ``site-packages``), that command refuses: it would
rewrite the catalogs of the installed package, which the next install overwrites; give
``--locale-dir`` to write them elsewhere.

Plugin authors use the same command for their plugin's domain (the name its `register_catalogs`
hook returns), with the plugin's locale folder and source folder::

    qunzhu i18n update --domain myplugin --locale-dir myplugin/locale myplugin/

The command prints, per language, how many texts have no translation, and exits with 1 while a
``zh_Hans`` or ``zh_Hant`` text is untranslated (or fuzzy), so it can guard CI. Files under a
``tests`` folder and ``test_*.py`` files are not extracted. Locations are written without line
numbers and a file whose messages did not change is not rewritten, so diffs stay small.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from qunzhu.core.i18n._catalogs import CORE_DOMAIN, CORE_LOCALE_DIR, LANGUAGES

__all__ = [
    "KEYWORDS",
    "REQUIRED_LANGUAGES",
    "default_source_dirs",
    "extract",
    "i18n",
    "untranslated",
    "update",
]

#: The marking functions, as Babel keyword specs (``ngettext`` takes singular and plural).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "t": None,
    "_": None,
    "core": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
}
#: Languages whose catalogs must be complete (``en`` falls back to the English message ids).
REQUIRED_LANGUAGES: tuple[str, ...] = ("zh_Hans", "zh_Hant")
#: Comments right above a marked text that start with this tag are copied for translators.
COMMENT_TAGS = ("TRANSLATORS:",)
_DATE_HEADERS = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


#: Entry point group of the packages whose texts go into the core's catalog (a package each).
SOURCES_GROUP = "qunzhu.catalog_sources"
#: The ``core`` folder itself (not the editable install's tree of links to its files: the
#: catalogs are written, and their locations named, in the source tree).
_CORE_DIR = Path(__file__).resolve().parent.parent


def default_source_dirs() -> list[Path]:
    """The core's sources: the ``core`` folder and the packages named under the entry point group
    ``qunzhu.catalog_sources`` (the adapters, whose texts are the core's), so that the core names
    no adapter."""
    from importlib.metadata import entry_points

    dirs = [_CORE_DIR]
    for entry in sorted(entry_points(group=SOURCES_GROUP), key=lambda e: e.name):
        path = Path(entry.load().__file__).resolve()
        dirs.append(path.parent if path.name == "__init__.py" else path)
    return dirs


def _installed(path: Path) -> bool:
    """Whether `path` lies inside an installed package (under ``site-packages`` or
    ``dist-packages``) rather than in a source checkout."""
    return any(part in ("site-packages", "dist-packages") for part in path.resolve().parts)


def _python_files(source_dirs: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, the source folder it was found in), sorted, without tests and hidden folders."""
    for root in source_dirs:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            parts = path.relative_to(root).parts if path != root else (path.name,)
            if any(p == "tests" or p.startswith((".", "__pycache__")) for p in parts[:-1]):
                continue
            if path.name.startswith("test_") or path.name == "conftest.py":
                continue
            yield path, root


def _source_files(source_dirs: Iterable[Path]) -> Iterator[tuple[Path, Any]]:
    """(file, how to read it): the Python files, then the web console's Jinja2 templates
    (``*.html``, whose texts are marked ``{{ _("...") }}``)."""
    for path, _root in _python_files(source_dirs):
        yield path, "python"
    for root in source_dirs:
        if root.is_dir():
            for path in sorted(root.rglob("*.html")):
                yield path, _jinja_method


def _jinja_method(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Any:
    from jinja2.ext import babel_extract

    return babel_extract(fileobj, keywords, comment_tags, options)


def _location_base(source_dirs: Sequence[Path]) -> Path:
    """Locations are relative to the folder holding the source folders (``core/app.py``)."""
    parents = [str((d if d.is_dir() else d.parent).resolve().parent) for d in source_dirs]
    return Path(os.path.commonpath(parents)) if parents else Path.cwd()


def extract(source_dirs: Sequence[Path], domain: str) -> Catalog:
    """Extract the marked texts of the Python files under `source_dirs` into a template."""
    source_dirs = [Path(d) for d in source_dirs]
    catalog = Catalog(
        project=domain, domain=domain, header_comment=_header(domain), charset="utf-8", fuzzy=False
    )
    base = _location_base(source_dirs)
    for path, method in _source_files(source_dirs):
        found = extract_from_file(
            method, path, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
        )
        location = Path(os.path.relpath(path.resolve(), base)).as_posix()
        for lineno, message, comments, context in found:
            catalog.add(
                message,
                None,
                locations=[(location, lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """The message ids of `catalog` without a usable translation (empty or fuzzy)."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def _header(domain: str, lang: str | None = None) -> str:
    what = f"{lang} translations" if lang else "Message template"
    return (
        f"# {what} of the {domain} domain.\n"
        f"# Refresh after changing texts in the code: qunzhu i18n update "
        "(qunzhu.core.i18n._extract)."
    )


def _render(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    return buf.getvalue()


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write `data` unless the file already holds it, apart from its date headers."""

    def strip(text: bytes) -> list[bytes]:
        return [line for line in text.splitlines() if not line.startswith(_DATE_HEADERS)]

    if path.is_file() and strip(path.read_bytes()) == strip(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def update(locale_dir: Path, domain: str, source_dirs: Sequence[Path]) -> dict[str, int]:
    """Write ``<domain>.pot`` and create or update each language's ``<domain>.po``.

    Returns, per language, how many message ids have no usable translation.
    """
    locale_dir = Path(locale_dir)
    template = extract(source_dirs, domain)
    _write_if_changed(locale_dir / f"{domain}.pot", _render(template))
    counts: dict[str, int] = {}
    for lang in LANGUAGES:
        po = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
        if po.is_file():
            with po.open("rb") as fp:
                catalog = read_po(fp, locale=lang, domain=domain)
        else:
            catalog = Catalog(
                locale=lang, domain=domain, project=domain, header_comment=_header(domain, lang)
            )
            catalog.fuzzy = False
        catalog.update(template)
        _write_if_changed(po, _render(catalog))
        counts[lang] = len(untranslated(catalog))
    return counts


@click.group("i18n")
def i18n() -> None:
    """Translation catalogs: extract texts from the code and update the .po files."""


@i18n.command("update")
@click.option("--domain", default=CORE_DOMAIN, show_default=True, help="Catalog domain.")
@click.option(
    "--locale-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of <lang>/LC_MESSAGES/<domain>.po (default: the core's locale folder for the "
    "core domain, else SOURCE_DIR/locale).",
)
@click.argument(
    "source_dirs", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="SOURCE_DIR..."
)
def update_command(domain: str, locale_dir: Path | None, source_dirs: tuple[Path, ...]) -> None:
    """Extract the marked texts of SOURCE_DIR... and update the catalogs.

    Without SOURCE_DIR the core domain reads the core and the packages of the entry point group
    ``qunzhu.catalog_sources`` (the adapters). Exits with 1 while a
    zh_Hans or zh_Hant text is untranslated.
    """
    sources = list(source_dirs)
    if not sources:
        if domain != CORE_DOMAIN:
            raise click.UsageError(f"give the source folder of the {domain!r} domain")
        sources = default_source_dirs()
    if locale_dir is None:
        if domain == CORE_DOMAIN and _installed(_CORE_DIR):
            click.echo(
                f"qunzhu: {_CORE_DIR} is an installed package: run `qunzhu i18n update` from a "
                "source checkout of qunzhu, or give --locale-dir",
                err=True,
            )
            sys.exit(2)
        locale_dir = _CORE_DIR / CORE_LOCALE_DIR.relative_to(CORE_LOCALE_DIR.parent.parent)
        locale_dir = locale_dir if domain == CORE_DOMAIN else sources[0] / "locale"
    counts = update(locale_dir, domain, sources)
    for lang, count in counts.items():
        note = "" if lang in REQUIRED_LANGUAGES else " (optional: the English msgid is used)"
        click.echo(f"{lang}: {count} untranslated{note}")
    missing = [lang for lang in REQUIRED_LANGUAGES if counts.get(lang)]
    if missing:
        click.echo(
            f"Translate the empty or fuzzy entries of {', '.join(missing)} in {locale_dir}.",
            err=True,
        )
        sys.exit(1)
